#pragma once
// Which build the tests run in. The ASan+UBSan build runs the same code paths
// several times slower, so tests whose cost is repetition or size (not what the
// sanitizers must see) run fewer repetitions or smaller sizes there.
namespace lpu::test {

#ifdef LPU_TEST_UNDER_SANITIZERS
inline constexpr bool kUnderSanitizers = true;
#else
inline constexpr bool kUnderSanitizers = false;
#endif

// `release` in the Release build, `sanitized` in the ASan+UBSan build.
template <class T>
constexpr T per_build(T release, T sanitized) {
    return kUnderSanitizers ? sanitized : release;
}

}  // namespace lpu::test
