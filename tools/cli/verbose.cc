#include "tools/cli/verbose.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "tools/cli/response_head.h"

namespace strata::cli {
namespace {

constexpr absl::string_view kMask = "[redacted]";

bool IsCredentialHeader(absl::string_view line, size_t* out_name_len) {
  for (absl::string_view name : {"authorization", "proxy-authorization"}) {
    if (line.size() > name.size() && absl::StartsWithIgnoreCase(line, name) &&
        (line[name.size()] == ':' || line[name.size()] == ' ')) {
      *out_name_len = name.size();
      return true;
    }
  }
  return false;
}

// MethodFromRequestHead finds the method in "GET /x HTTP/1.1" or in an
// HTTP/2 ":method: GET" line.
std::string MethodFromRequestHead(absl::string_view text) {
  for (absl::string_view line : SplitLines(text)) {
    if (absl::StartsWith(line, ":method")) {
      return std::string(absl::StripAsciiWhitespace(
          absl::StripPrefix(line.substr(7), ":")));
    }
    size_t space = line.find(' ');
    if (space != absl::string_view::npos && space > 0 &&
        absl::StrContains(line.substr(space), " HTTP/")) {
      absl::string_view token = line.substr(0, space);
      bool is_token = true;
      for (char c : token) {
        if (!absl::ascii_isupper(static_cast<unsigned char>(c)) && c != '-' &&
            c != '_') {
          is_token = false;
        }
      }
      if (is_token) return std::string(token);
    }
  }
  return "";
}

}  // namespace

std::string RedirectMethod(const std::string& method, int status,
                           bool keep_post) {
  if (keep_post && method == "POST") return method;
  if (status == 303 && method != "HEAD") return "GET";
  if ((status == 301 || status == 302) && method == "POST") return "GET";
  return method;
}

void VerboseFormatter::Reset(std::string method) {
  first_method_ = method;
  next_method_ = std::move(method);
  hop_methods_.clear();
}

void VerboseFormatter::AddSecret(std::string secret) {
  if (!secret.empty()) secrets_.push_back(std::move(secret));
}

std::string VerboseFormatter::Redact(absl::string_view line) const {
  size_t name_len = 0;
  if (IsCredentialHeader(line, &name_len)) {
    return absl::StrCat(line.substr(0, name_len + 1), " ", kMask);
  }
  std::string out(line);
  for (const std::string& secret : secrets_) {
    absl::StrReplaceAll({{secret, kMask}}, &out);
  }
  return out;
}

std::string VerboseFormatter::MethodForHop(int hop) const {
  auto it = hop_methods_.find(hop);
  if (it != hop_methods_.end()) return it->second;
  return hop <= 1 ? first_method_ : next_method_;
}

std::string VerboseFormatter::Format(const strata_event& event) {
  absl::string_view message = event.message != nullptr ? event.message : "";
  absl::string_view layer = event.layer != nullptr ? event.layer : "runtime";
  std::string out;
  switch (event.type) {
    case STRATA_EVENT_TRACE:
    case STRATA_EVENT_CONNECT:
      for (absl::string_view line : SplitLines(message)) {
        absl::StrAppend(&out, "* ", layer, ": ", Redact(line), "\n");
      }
      break;
    case STRATA_EVENT_DATA_OUT:
    case STRATA_EVENT_DATA_IN: {
      if (event.type == STRATA_EVENT_DATA_OUT) {
        std::string method = MethodFromRequestHead(message);
        if (!method.empty()) hop_methods_[event.hop] = method;
      }
      const char* prefix = event.type == STRATA_EVENT_DATA_OUT ? "> " : "< ";
      for (absl::string_view line : SplitLines(message)) {
        absl::StrAppend(&out, prefix, Redact(line), "\n");
      }
      break;
    }
    case STRATA_EVENT_HOP: {
      std::string method = MethodForHop(event.hop);
      if (absl::StartsWith(message, "hop ")) {
        // The runtime's summary: method, URL, status, chain, new/reused
        // connection and, for a new one, when each layer was ready.
        for (absl::string_view line : SplitLines(message)) {
          absl::StrAppend(&out, "* ", Redact(line), "\n");
        }
      } else {
        absl::string_view chain =
            event.chain != nullptr && event.chain[0] != '\0' ? event.chain
                                                             : "no chain";
        absl::StrAppend(&out, "* hop ", event.hop, ": ", method, " ",
                        Redact(event.url != nullptr ? event.url : ""), " → ",
                        event.status, " (", chain, ", ",
                        event.reused ? "reused" : "new", " connection)\n");
      }
      bool keep_post = (event.status == 301 && keep_post_301_) ||
                       (event.status == 302 && keep_post_302_) ||
                       (event.status == 303 && keep_post_303_);
      next_method_ = RedirectMethod(method, event.status, keep_post);
      break;
    }
    case STRATA_EVENT_RETRY:
      // The next attempt starts over at hop 1 with the request's method.
      hop_methods_.clear();
      next_method_ = first_method_;
      absl::StrAppend(&out, "* retry: attempt ", event.attempt, " failed: ", Redact(message), "; next in ",
                      event.retry_delay_ms, " ms (", event.retries_left,
                      event.retries_left == 1 ? " retry" : " retries", " left)\n");
      break;
    default:
      break;
  }
  return out;
}

}  // namespace strata::cli
