#ifndef ENTROPIC_COMMON_STATUS_MACROS_H_
#define ENTROPIC_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Abseil 20220623 (Debian 12) ships neither macro, so they are defined once
// here for the whole project.

// Returns from the enclosing function if `expr` yields a non-OK status.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status entropic_status_ = (expr);            \
    if (!entropic_status_.ok()) return entropic_status_; \
  } while (0)

#define ENTROPIC_CONCAT_INNER_(a, b) a##b
#define ENTROPIC_CONCAT_(a, b) ENTROPIC_CONCAT_INNER_(a, b)

#define ENTROPIC_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = std::move(statusor).value()

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status on error,
// otherwise moves the value into `lhs` (a declaration or an lvalue).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ENTROPIC_ASSIGN_OR_RETURN_IMPL_(   \
      ENTROPIC_CONCAT_(entropic_statusor_, __LINE__), lhs, rexpr)

#endif  // ENTROPIC_COMMON_STATUS_MACROS_H_
