#pragma once
// A request the server refuses, as OpenAI's API reports one: an HTTP status
// and {"error": {"message", "type", "param", "code"}}, so that clients written
// for OpenAI show the message instead of failing to parse the answer.
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace lpu::serve {

class ApiError : public Error {
public:
    // `param`: the request field at fault, `code`: a machine-readable reason
    // (both empty: null in the answer).
    ApiError(int status, const std::string& message, std::string type = "invalid_request_error",
             std::string param = "", std::string code = "");

    int status() const { return status_; }
    const std::string& type() const { return type_; }
    const std::string& param() const { return param_; }
    const std::string& code() const { return code_; }

private:
    int status_;
    std::string type_;
    std::string param_;
    std::string code_;
};

// A 400 for the request field `param`.
ApiError bad_field(const std::string& param, const std::string& message);

// The answer's body, {"error": {...}}, as JSON and as text.
nlohmann::json error_json(const ApiError& error);
std::string error_body(const ApiError& error);

}  // namespace lpu::serve
