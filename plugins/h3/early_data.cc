#include "plugins/h3/early_data.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strata::h3 {

bool MaySendEarly(const strata_request_head& head) {
  if (head.method == nullptr) return false;
  const bool safe = absl::string_view(head.method) == "GET" || absl::string_view(head.method) == "HEAD" ||
                    absl::string_view(head.method) == "OPTIONS";
  const bool no_body = (head.flags & STRATA_REQUEST_NO_BODY) != 0 || head.content_length == 0;
  return safe && no_body && !(head.flags & STRATA_REQUEST_TUNNEL);
}

OwnedHead::OwnedHead(const strata_request_head& head)
    : method_(head.method ? head.method : ""),
      scheme_(head.scheme ? head.scheme : ""),
      authority_(head.authority ? head.authority : ""),
      path_(head.path ? head.path : ""),
      content_length_(head.content_length),
      flags_(head.flags) {
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    fields_.emplace_back(std::string(h.name, h.name_len), std::string(h.value, h.value_len));
  }
  headers_.resize(fields_.size());
  for (size_t i = 0; i < fields_.size(); ++i) {
    headers_[i] = head.headers[i];
    headers_[i].name = fields_[i].first.data();
    headers_[i].name_len = fields_[i].first.size();
    headers_[i].value = fields_[i].second.data();
    headers_[i].value_len = fields_[i].second.size();
  }
}

strata_request_head OwnedHead::head() const {
  strata_request_head h{};
  h.struct_size = sizeof(h);
  h.method = method_.c_str();
  h.scheme = scheme_.c_str();
  h.authority = authority_.c_str();
  h.path = path_.c_str();
  h.headers = headers_.data();
  h.header_count = headers_.size();
  h.content_length = content_length_;
  h.flags = flags_;
  return h;
}

EarlyRequests::Route EarlyRequests::Decide(const strata_request_head& head) const {
  if (held() > 0 || !MaySendEarly(head)) return Route::kHold;
  return Route::kEarly;
}

void EarlyRequests::Add(const strata_request_head& head, void* user, Route route) {
  requests_.push_back(Request{next_id_, OwnedHead(head), user, route == Route::kEarly, false});
  next_id_ += 4;  // client-initiated bidirectional streams (RFC 9000 §2.1)
}

bool EarlyRequests::Cancel(int64_t id) {
  for (Request& r : requests_) {
    if (r.id == id) {
      r.cancelled = true;
      return true;
    }
  }
  return false;
}

bool EarlyRequests::Has(int64_t id) const {
  for (const Request& r : requests_) {
    if (r.id == id) return true;
  }
  return false;
}

std::vector<const EarlyRequests::Request*> EarlyRequests::ToSubmit(bool rejected) const {
  std::vector<const Request*> out;
  for (const Request& r : requests_) {
    if (rejected || !r.early) out.push_back(&r);
  }
  return out;
}

size_t EarlyRequests::sent_early() const {
  size_t n = 0;
  for (const Request& r : requests_) n += r.early ? 1 : 0;
  return n;
}

size_t EarlyRequests::held() const { return requests_.size() - sent_early(); }

std::string EarlyRequests::Summary(bool rejected) const {
  const size_t n = sent_early();
  std::string out = absl::StrCat("0-RTT: ", n, n == 1 ? " request" : " requests", " sent early, ",
                                 rejected ? "rejected" : "accepted");
  if (rejected && n > 0) absl::StrAppend(&out, " (sent again after the handshake)");
  if (held() > 0) absl::StrAppend(&out, "; ", held(), " held for the handshake (not idempotent, or after one that was)");
  return out;
}

void EarlyRequests::Clear() { requests_.clear(); }

}  // namespace strata::h3
