#include "common/job_file.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "yaml-cpp/yaml.h"

namespace entropic {
namespace {

// JSON string literal with the characters JSON requires escaped.
std::string JsonQuote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrCat("\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A plain (unquoted) YAML scalar as JSON: numbers and booleans keep their
// type so numeric and bool proto fields accept them.
std::string PlainScalarToJson(const std::string& value) {
  const std::string lower = absl::AsciiStrToLower(value);
  if (lower == "true" || lower == "false") return lower;
  if (lower == "null" || lower == "~" || lower.empty()) return "null";
  double number;
  if (absl::SimpleAtod(value, &number) && lower != "inf" && lower != "-inf" &&
      lower != "nan" && lower != "infinity" && lower != "-infinity") {
    return value;
  }
  return JsonQuote(value);
}

absl::Status YamlToJson(const YAML::Node& node, std::string& out) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out += "null";
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!" and plain ones "?".
      out += node.Tag() == "!" ? JsonQuote(node.Scalar())
                               : PlainScalarToJson(node.Scalar());
      return absl::OkStatus();
    case YAML::NodeType::Sequence: {
      out += "[";
      bool first = true;
      for (const YAML::Node& item : node) {
        if (!first) out += ",";
        first = false;
        absl::Status status = YamlToJson(item, out);
        if (!status.ok()) return status;
      }
      out += "]";
      return absl::OkStatus();
    }
    case YAML::NodeType::Map: {
      out += "{";
      bool first = true;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", entry.first.Mark().line + 1, ": keys must be names"));
        }
        if (!first) out += ",";
        first = false;
        out += JsonQuote(entry.first.Scalar()) + ":";
        absl::Status status = YamlToJson(entry.second, out);
        if (!status.ok()) return status;
      }
      out += "}";
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown YAML node type");
}

}  // namespace

absl::StatusOr<std::string> JobFileToJson(absl::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid YAML: ", e.what()));
  }
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        "a job file must be a mapping of JobSpec fields (name, env, ...)");
  }
  std::string json;
  absl::Status status = YamlToJson(root, json);
  if (!status.ok()) return status;
  return json;
}

absl::StatusOr<v1::JobSpec> ParseJobSpec(absl::string_view text) {
  absl::StatusOr<std::string> json = JobFileToJson(text);
  if (!json.ok()) return json.status();
  v1::JobSpec spec;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = true;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(*json, &spec, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("does not match JobSpec: ", parsed.message().as_string()));
  }
  return spec;
}

absl::StatusOr<v1::JobSpec> LoadJobFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open job file"));
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  absl::StatusOr<v1::JobSpec> spec = ParseJobSpec(buffer.str());
  if (!spec.ok()) {
    return absl::Status(spec.status().code(),
                        absl::StrCat(path, ": ", spec.status().message()));
  }
  return spec;
}

std::string JobSpecToJson(const v1::JobSpec& spec) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(spec, &json, options);
  return json;
}

}  // namespace entropic
