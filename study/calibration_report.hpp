#pragma once
// What `lpu calibrate` prints and writes of a calibration (calibration.hpp):
// the fitted fields, every row's measured and predicted figure with its error
// and leave-one-out error, as text or JSON; and the calibrated spec file.
#include <string>

#include "study/calibration.hpp"

namespace lpu::study {

std::string calibration_report(const Calibration& result, bool json);

// The calibrated spec as a spec file (JSON) that `--spec FILE` loads.
std::string calibrated_spec_file(const Calibration& result);

}  // namespace lpu::study
