#ifndef ENTROPIC_COMMON_EXCEPTION_STATUS_H_
#define ENTROPIC_COMMON_EXCEPTION_STATUS_H_

#include <exception>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace entropic {

// Internal "<context>: <message>" for an exception caught at a thread or
// module edge (conventions: no exception crosses one). Only the message's
// first line is kept: LibTorch's c10::Error appends a backtrace after it.
inline absl::Status InternalFromException(absl::string_view context,
                                          const std::exception& e) {
  const absl::string_view what = e.what();
  return absl::InternalError(
      absl::StrCat(context, ": ", what.substr(0, what.find('\n'))));
}

}  // namespace entropic

#endif  // ENTROPIC_COMMON_EXCEPTION_STATUS_H_
