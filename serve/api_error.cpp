#include "serve/api_error.hpp"

#include "base/json_text.hpp"

namespace lpu::serve {

ApiError::ApiError(int status, const std::string& message, std::string type, std::string param, std::string code)
    : Error(message), status_(status), type_(std::move(type)), param_(std::move(param)), code_(std::move(code)) {}

ApiError bad_field(const std::string& param, const std::string& message) {
    return ApiError(400, message, "invalid_request_error", param);
}

nlohmann::json error_json(const ApiError& error) {
    const auto or_null = [](const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); };
    return {{"error",
             {{"message", error.what()},
              {"type", error.type()},
              {"param", or_null(error.param())},
              {"code", or_null(error.code())}}}};
}

std::string error_body(const ApiError& error) { return json_text(error_json(error)); }

}  // namespace lpu::serve
