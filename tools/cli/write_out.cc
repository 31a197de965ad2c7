#include "tools/cli/write_out.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace strata::cli {
namespace {

std::string ThreeDigits(int64_t code) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%03lld", static_cast<long long>(code));
  return buf;
}

// Value is one variable's value: how -w prints it and how %{json} does.
struct Value {
  enum class Kind { kText, kNullableText, kInt, kCode, kSeconds, kQuotedText };
  Kind kind = Kind::kText;
  std::string text;  // kText, kNullableText ("" is null in JSON), kQuotedText
  int64_t number = 0;

  std::string Plain() const {
    switch (kind) {
      case Kind::kInt: return absl::StrCat(number);
      case Kind::kCode: return ThreeDigits(number);
      case Kind::kSeconds: return FormatSeconds(number);
      default: return text;
    }
  }
  std::string Json() const {
    switch (kind) {
      case Kind::kInt:
      case Kind::kCode: return absl::StrCat(number);
      case Kind::kSeconds: return FormatSeconds(number);
      case Kind::kNullableText: return text.empty() ? "null" : JsonQuoted(text);
      default: return JsonQuoted(text);
    }
  }
};

Value Text(std::string text) { return {Value::Kind::kText, std::move(text), 0}; }
Value NullableText(std::string text) { return {Value::Kind::kNullableText, std::move(text), 0}; }
Value Int(int64_t n) { return {Value::Kind::kInt, "", n}; }
Value Code(int64_t n) { return {Value::Kind::kCode, "", n}; }
Value Seconds(int64_t us) { return {Value::Kind::kSeconds, "", us}; }

int64_t Speed(int64_t bytes, int64_t us) { return us > 0 ? static_cast<int64_t>(bytes * 1e6 / us) : 0; }

std::string HeaderOf(const TransferSummary& s, absl::string_view name) {
  for (const auto& [header_name, value] : s.headers) {
    if (absl::EqualsIgnoreCase(header_name, name)) return value;
  }
  return "";
}

// Scheme: curl prints the effective URL's scheme in capitals.
std::string Scheme(const TransferSummary& s) {
  size_t colon = s.url_effective.find("://");
  return colon == std::string::npos ? "" : absl::AsciiStrToUpper(s.url_effective.substr(0, colon));
}

// The variables, sorted by name: %{json} prints them in this order, as
// curl does (its "curl_version" last becomes "strata_version").
using Getter = Value (*)(const TransferSummary&);
struct Variable {
  absl::string_view name;
  Getter get;
};
constexpr Variable kVariables[] = {
    {"content_type", [](const TransferSummary& s) { return NullableText(HeaderOf(s, "content-type")); }},
    {"errormsg", [](const TransferSummary& s) { return NullableText(s.errormsg); }},
    {"exitcode", [](const TransferSummary& s) { return Int(s.exitcode); }},
    {"filename_effective", [](const TransferSummary& s) { return NullableText(s.filename_effective); }},
    {"http_code", [](const TransferSummary& s) { return Code(s.http_code); }},
    {"http_connect", [](const TransferSummary& s) { return Code(s.http_connect); }},
    {"http_connects", [](const TransferSummary& s) { return Text(s.http_connects); }},
    {"http_version", [](const TransferSummary& s) { return Text(FormatHttpVersion(s.http_version)); }},
    {"local_ip", [](const TransferSummary& s) { return Text(s.local_ip); }},
    {"local_port", [](const TransferSummary& s) { return Int(s.local_port); }},
    {"method", [](const TransferSummary& s) { return Text(s.method); }},
    {"num_connects", [](const TransferSummary& s) { return Int(s.num_connects); }},
    {"num_headers", [](const TransferSummary& s) { return Int(static_cast<int64_t>(s.headers.size())); }},
    {"num_redirects", [](const TransferSummary& s) { return Int(s.num_redirects); }},
    {"proxy_ssl_verify_result", [](const TransferSummary& s) { return Int(s.proxy_ssl_verify_result); }},
    {"redirect_url", [](const TransferSummary& s) { return NullableText(s.redirect_url); }},
    {"referer", [](const TransferSummary& s) { return NullableText(s.referer); }},
    {"remote_ip", [](const TransferSummary& s) { return Text(s.remote_ip); }},
    {"remote_port", [](const TransferSummary& s) { return Int(s.remote_port); }},
    {"response_code", [](const TransferSummary& s) { return Code(s.http_code); }},
    {"scheme", [](const TransferSummary& s) { return Text(Scheme(s)); }},
    {"size_download", [](const TransferSummary& s) { return Int(s.size_download); }},
    {"size_header", [](const TransferSummary& s) { return Int(s.size_header); }},
    {"size_request", [](const TransferSummary& s) { return Int(s.size_request); }},
    {"size_upload", [](const TransferSummary& s) { return Int(s.size_upload); }},
    {"speed_download", [](const TransferSummary& s) { return Int(Speed(s.size_download, s.time_total_us)); }},
    {"speed_upload", [](const TransferSummary& s) { return Int(Speed(s.size_upload, s.time_total_us)); }},
    {"ssl_verify_result", [](const TransferSummary& s) { return Int(s.ssl_verify_result); }},
    {"strata_chain", [](const TransferSummary& s) { return Text(s.chain); }},
    {"time_appconnect", [](const TransferSummary& s) { return Seconds(s.time_appconnect_us); }},
    {"time_connect", [](const TransferSummary& s) { return Seconds(s.time_connect_us); }},
    {"time_namelookup", [](const TransferSummary& s) { return Seconds(s.time_namelookup_us); }},
    {"time_pretransfer", [](const TransferSummary& s) { return Seconds(s.time_pretransfer_us); }},
    {"time_redirect", [](const TransferSummary& s) { return Seconds(s.time_redirect_us); }},
    {"time_starttransfer", [](const TransferSummary& s) { return Seconds(s.time_starttransfer_us); }},
    {"time_total", [](const TransferSummary& s) { return Seconds(s.time_total_us); }},
    {"url", [](const TransferSummary& s) { return Text(s.url); }},
    {"url_effective", [](const TransferSummary& s) { return Text(s.url_effective); }},
    {"urlnum", [](const TransferSummary& s) { return Int(s.urlnum); }},
};

const Variable* FindVariable(absl::string_view name) {
  for (const Variable& v : kVariables) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

// LayerTime finds NAME in "tcp=812 tls=4512" (microseconds).
std::optional<int64_t> LayerTime(absl::string_view layer_times, absl::string_view name) {
  for (absl::string_view entry : absl::StrSplit(layer_times, ' ', absl::SkipEmpty())) {
    size_t eq = entry.rfind('=');
    int64_t us = 0;
    if (eq != absl::string_view::npos && entry.substr(0, eq) == name && absl::SimpleAtoi(entry.substr(eq + 1), &us)) {
      return us;
    }
  }
  return std::nullopt;
}

class Expander {
 public:
  explicit Expander(const TransferSummary& summary) : summary_(summary) {}

  void Append(absl::string_view text) {
    if (suppressed_ || text.empty()) return;
    WriteOutChunk* last = result_.chunks.empty() ? nullptr : &result_.chunks.back();
    if (last == nullptr || last->stream != stream_ || opened_) {
      result_.chunks.push_back({stream_, "", path_, append_});
      opened_ = false;
    }
    result_.chunks.back().text.append(text.data(), text.size());
  }

  void Output(absl::string_view target) {
    // Each %output{} opens its file anew, as curl does (so a second
    // %output{f} truncates f again).
    append_ = absl::ConsumePrefix(&target, ">>");
    stream_ = WriteOutStream::kFile;
    path_ = std::string(target);
    opened_ = true;
  }

  void Variable(absl::string_view name) {
    const TransferSummary& s = summary_;
    if (const strata::cli::Variable* v = FindVariable(name)) {
      Append(v->get(s).Plain());
    } else if (absl::StartsWith(name, "time_layer:")) {
      std::optional<int64_t> us = LayerTime(s.layer_times, name.substr(11));
      Append(FormatSeconds(us.value_or(0)));
    } else if (name == "json") {
      Append(Json());
    } else if (name == "header_json") {
      Append(HeaderJson());
    } else if (name == "stdout") {
      SwitchTo(WriteOutStream::kStdout);
    } else if (name == "stderr") {
      SwitchTo(WriteOutStream::kStderr);
    } else if (name == "onerror") {
      if (s.exitcode == 0) suppressed_ = true;
    } else {
      result_.warnings.push_back(
          absl::StrCat("unknown --write-out variable: '", name, "'"));
    }
  }

  std::string Header(absl::string_view name) const { return HeaderOf(summary_, name); }

  WriteOutResult Take() { return std::move(result_); }

 private:
  void SwitchTo(WriteOutStream stream) {
    stream_ = stream;
    path_.clear();
    append_ = false;
  }

  std::string Json() const {
    std::string out = "{";
    for (const strata::cli::Variable& v : kVariables) {
      absl::StrAppend(&out, "\"", v.name, "\":", v.get(summary_).Json(), ",");
    }
    absl::StrAppend(&out, "\"strata_version\":", JsonQuoted(summary_.version), "}");
    return out;
  }

  // HeaderJson: curl's layout, one name per line, lower-cased, in order
  // of first appearance, every value of a repeated name in its array.
  std::string HeaderJson() const {
    std::vector<std::pair<std::string, std::vector<absl::string_view>>> fields;
    for (const auto& [name, value] : summary_.headers) {
      std::string lower = absl::AsciiStrToLower(name);
      auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == lower; });
      if (it == fields.end()) {
        fields.push_back({lower, {}});
        it = fields.end() - 1;
      }
      it->second.push_back(value);
    }
    std::string out = "{";
    for (size_t i = 0; i < fields.size(); ++i) {
      absl::StrAppend(&out, i ? ",\n" : "", JsonQuoted(fields[i].first), ":[");
      for (size_t j = 0; j < fields[i].second.size(); ++j) {
        absl::StrAppend(&out, j ? "," : "", JsonQuoted(fields[i].second[j]));
      }
      out += "]";
    }
    return out + "\n}";
  }

  const TransferSummary& summary_;
  WriteOutResult result_;
  WriteOutStream stream_ = WriteOutStream::kStdout;
  std::string path_;
  bool append_ = false;
  bool opened_ = false;  // an %output{} since the last chunk began
  bool suppressed_ = false;
};

}  // namespace

std::string JsonQuoted(absl::string_view text, bool lowercase) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += lowercase ? absl::ascii_tolower(static_cast<unsigned char>(c)) : c;
        }
    }
  }
  return out + "\"";
}

std::string FormatSeconds(int64_t us) {
  if (us < 0) us = 0;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld.%06lld",
                static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000));
  return buf;
}

std::string FormatHttpVersion(int version) {
  switch (version) {
    case 9:
      return "0.9";
    case 10:
      return "1.0";
    case 11:
      return "1.1";
    case 20:
      return "2";
    case 30:
      return "3";
    default:
      return "0";
  }
}

WriteOutResult ExpandWriteOut(const std::string& format,
                              const TransferSummary& summary) {
  Expander out(summary);
  absl::string_view rest = format;
  while (!rest.empty()) {
    size_t special = rest.find_first_of("%\\");
    if (special == absl::string_view::npos) {
      out.Append(rest);
      break;
    }
    out.Append(rest.substr(0, special));
    rest.remove_prefix(special);
    if (rest[0] == '\\') {
      if (rest.size() < 2) {
        out.Append("\\");
        break;
      }
      switch (rest[1]) {
        case 'n': out.Append("\n"); break;
        case 'r': out.Append("\r"); break;
        case 't': out.Append("\t"); break;
        case '\\': out.Append("\\"); break;
        // curl keeps an unknown escape as written.
        default: out.Append(rest.substr(0, 2)); break;
      }
      rest.remove_prefix(2);
      continue;
    }
    // rest[0] == '%'
    if (absl::StartsWith(rest, "%%")) {
      out.Append("%");
      rest.remove_prefix(2);
      continue;
    }
    if (absl::StartsWith(rest, "%output{")) {
      size_t close = rest.find('}');
      if (close != absl::string_view::npos) {
        out.Output(rest.substr(8, close - 8));
        rest.remove_prefix(close + 1);
        continue;
      }
    }
    if (absl::StartsWith(rest, "%{") || absl::StartsWith(rest, "%header{")) {
      bool is_header = rest[1] == 'h';
      size_t open = rest.find('{');
      size_t close = rest.find('}', open);
      if (close != absl::string_view::npos) {
        absl::string_view name = rest.substr(open + 1, close - open - 1);
        if (is_header) {
          out.Append(out.Header(name));
        } else {
          out.Variable(name);
        }
        rest.remove_prefix(close + 1);
        continue;
      }
    }
    // A lone '%' (or an unterminated "%{") is printed as is, like curl.
    out.Append("%");
    rest.remove_prefix(1);
  }
  return out.Take();
}

}  // namespace strata::cli
