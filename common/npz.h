#ifndef ENTROPIC_COMMON_NPZ_H_
#define ENTROPIC_COMMON_NPZ_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "entropic/v1/tensor.pb.h"

namespace entropic {

// Reading and writing numpy's .npz files (np.savez and np.savez_compressed):
// a zip archive of .npy arrays, C order, little-endian. Arrays come back as
// wire tensors. Supported dtypes: float32, float64, int32, int64, uint8,
// bool.

// The arrays of an .npz file by name (without ".npy"). InvalidArgument
// naming the file and the problem for anything that is not a readable .npz
// of supported arrays; NotFound if the file cannot be opened.
absl::StatusOr<std::map<std::string, v1::Tensor>> ReadNpz(
    const std::string& path);

// Parses .npz bytes already in memory; errors as ReadNpz, naming `origin`.
absl::StatusOr<std::map<std::string, v1::Tensor>> ParseNpz(
    const std::string& bytes, const std::string& origin);

// Writes arrays as an uncompressed .npz (what np.savez writes) that numpy's
// np.load reads. Internal error if the file cannot be written.
absl::Status WriteNpz(const std::string& path,
                      const std::map<std::string, v1::Tensor>& arrays);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_NPZ_H_
