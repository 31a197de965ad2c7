#include "tools/cli/write_out.h"

#include <cstdio>
#include "absl/strings/string_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strata::cli {
namespace {

std::string ThreeDigits(int64_t code) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%03lld", static_cast<long long>(code));
  return buf;
}

class Expander {
 public:
  explicit Expander(const TransferSummary& summary) : summary_(summary) {}

  void Append(absl::string_view text) {
    if (suppressed_ || text.empty()) return;
    if (result_.chunks.empty() || result_.chunks.back().stream != stream_) {
      result_.chunks.push_back({stream_, ""});
    }
    result_.chunks.back().text.append(text.data(), text.size());
  }

  void Variable(absl::string_view name) {
    const TransferSummary& s = summary_;
    if (name == "http_code" || name == "response_code") {
      Append(ThreeDigits(s.http_code));
    } else if (name == "http_connect") {
      Append(ThreeDigits(s.http_connect));
    } else if (name == "redirect_url") {
      Append(s.redirect_url);
    } else if (name == "strata_chain") {
      Append(s.chain);
    } else if (name == "http_version") {
      Append(FormatHttpVersion(s.http_version));
    } else if (name == "num_redirects") {
      Append(absl::StrCat(s.num_redirects));
    } else if (name == "num_connects") {
      Append(absl::StrCat(s.num_connects));
    } else if (name == "size_download") {
      Append(absl::StrCat(s.size_download));
    } else if (name == "size_upload") {
      Append(absl::StrCat(s.size_upload));
    } else if (name == "time_total") {
      Append(FormatSeconds(s.time_total_us));
    } else if (name == "time_connect") {
      Append(FormatSeconds(s.time_connect_us));
    } else if (name == "time_starttransfer") {
      Append(FormatSeconds(s.time_starttransfer_us));
    } else if (name == "url_effective") {
      Append(s.url_effective);
    } else if (name == "url") {
      Append(s.url);
    } else if (name == "method") {
      Append(s.method);
    } else if (name == "content_type") {
      Append(Header("content-type"));
    } else if (name == "errormsg") {
      Append(s.errormsg);
    } else if (name == "exitcode") {
      Append(absl::StrCat(s.exitcode));
    } else if (name == "stdout") {
      stream_ = WriteOutStream::kStdout;
    } else if (name == "stderr") {
      stream_ = WriteOutStream::kStderr;
    } else if (name == "onerror") {
      if (s.exitcode == 0) suppressed_ = true;
    } else {
      result_.warnings.push_back(
          absl::StrCat("unknown --write-out variable: '", name, "'"));
    }
  }

  std::string Header(absl::string_view name) const {
    for (const auto& [header_name, value] : summary_.headers) {
      if (absl::EqualsIgnoreCase(header_name, name)) return value;
    }
    return "";
  }

  WriteOutResult Take() { return std::move(result_); }

 private:
  const TransferSummary& summary_;
  WriteOutResult result_;
  WriteOutStream stream_ = WriteOutStream::kStdout;
  bool suppressed_ = false;
};

}  // namespace

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
