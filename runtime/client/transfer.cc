#include "runtime/client/transfer.h"

#include <atomic>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/client/header_list_recycler.h"
#include "runtime/client/hop_timing.h"
#include "runtime/client/retry_policy.h"
#include "runtime/client/runtime.h"
#include "runtime/cookies/cookie_date.h"

namespace strata {
namespace {

void CopyTruncated(char* dst, size_t cap, const std::string& src) {
  size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

}  // namespace

Transfer::Transfer(Runtime* runtime, std::shared_ptr<const Request> request, void* user)
    : runtime_(runtime), request_owner_(std::move(request)), request_(*request_owner_), user_(user) {
  // Transfers live on one runtime's thread, but ids are per process.
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  started_us_ = MonotonicUs();
  first_started_us_ = started_us_;
}

Transfer::~Transfer() { HeaderListRecycler::Give(std::move(hop_request_.headers)); }

const strata_error& Transfer::error() const {
  static const strata_error kNone = [] {
    strata_error e{};
    e.struct_size = sizeof(e);
    return e;
  }();
  return error_ ? *error_ : kNone;
}

void Transfer::NewHop(uint64_t now_us) {
  h_ = HopState{};
  h_.started_us = now_us;
  phase_ = Phase::kPending;
}

strata_status Transfer::ReadBody(uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
  *out_read = 0;
  *out_eos = 0;
  const BodySource& body = request_.body;
  if (body_dropped_ || body.kind == BodySource::Kind::kNone) {
    *out_eos = 1;
    return STRATA_OK;
  }
  if (body.kind == BodySource::Kind::kMemory) {
    size_t n = std::min(cap, body.data.size() - h_.body_offset);
    std::memcpy(buf, body.data.data() + h_.body_offset, n);
    h_.body_offset += n;
    h_.body_sent += static_cast<int64_t>(n);
    *out_read = n;
    *out_eos = h_.body_offset == body.data.size();
    return STRATA_OK;
  }
  strata_status st = body.read(body.read_user, buf, cap, out_read, out_eos);
  if (st == STRATA_AGAIN) {
    h_.body_again = true;
    runtime_->Wake(this);  // to arm the paused reader's retry, if it needs one
    return STRATA_AGAIN;
  }
  if (st < 0) {
    h_.error = {STRATA_E_BODY, "runtime",
                  absl::StrCat("request body reader failed with ", strata_status_name(st))};
    return STRATA_E_BODY;
  }
  if (*out_read > cap) return STRATA_E_BODY;
  h_.body_sent += static_cast<int64_t>(*out_read);
  last_progress_ms_ = MonotonicMs();
  return STRATA_OK;
}

strata_status Transfer::OnHead(const strata_response_head& head) {
  last_progress_ms_ = MonotonicMs();
  runtime_->EmitResponseHead(this, head);
  if (h_.first_head_us == 0) h_.first_head_us = MonotonicUs();
  h_.http_version = head.http_version;
  response_.size_header += ResponseHeadSize(head);
  if (head.status >= 100 && head.status < 200) return STRATA_OK;  // informational
  h_.head_seen = true;
  h_.status = head.status;
  h_.headers.Assign(head.headers, head.header_count);
  // Every final head stores its cookies, a redirect's too: the next hop
  // may need them.
  runtime_->StoreCookies(this, h_.headers);
  runtime_->StoreAltSvc(this, h_.headers);
  if (response_.time_first_byte_us == 0) response_.time_first_byte_us = MonotonicUs() - started_us_;
  std::optional<absl::string_view> location = h_.headers.Find("Location");
  // An empty Location points nowhere: the 3xx is the final response, as
  // curl returns it (resolving "" would name this same URL: a false loop).
  if (location && location->empty()) location.reset();
  bool follow = runtime_->FollowRedirects(request_);
  if (follow && IsRedirectStatus(head.status) && location) {
    h_.is_redirect = true;
    h_.redirect_location = std::string(*location);
    h_.discard_body = true;
    return STRATA_OK;
  }
  // This is the final response.
  response_.status = head.status;
  response_.http_version = head.http_version;
  response_.reason.assign(head.reason ? head.reason : "", head.reason ? head.reason_len : 0);
  response_.headers = std::move(h_.headers);  // |location| stays valid: the block moves
  response_.body.clear();
  response_.size_download = 0;
  response_.redirect_url.clear();
  if (IsRedirectStatus(head.status) && location) {
    absl::StatusOr<Url> target = ResolveReference(hop_request_.url, *location);
    if (target.ok()) response_.redirect_url = target->ToString();
  }
  if (request_.options.retry > 0 && RetryableStatus(head.status)) {
    std::optional<int64_t> retry_after;
    if (std::optional<absl::string_view> ra = response_.headers.Find("Retry-After")) {
      retry_after = ParseRetryAfter(*ra, absl::ToUnixSeconds(absl::Now()));
    }
    if (runtime_->WillRetryStatus(this, head.status, retry_after)) {
      h_.retry_status = true;
      h_.retry_after_s = retry_after;
      h_.discard_body = true;
      return STRATA_OK;
    }
  }
  h_.discard_body = request_.options.fail_on_http_error && head.status >= 400;
  if (!ConditionMet(head.status)) {
    response_.condition_unmet = true;
    // A 2xx that should not have come (a server that ignored the
    // condition) is dropped; a 304 has no body, a 412's explains itself.
    if (head.status >= 200 && head.status < 300) h_.discard_body = true;
  }
  if (request_.options.resume_from > 0) {
    if (strata_status st = CheckResumed(head.status); st != STRATA_OK) return st;
  }
  return StartDecoding();
}

bool Transfer::ConditionMet(int status) const {
  const RequestOptions& o = request_.options;
  if (o.if_modified_since < 0 && o.if_unmodified_since < 0) return true;
  if (status == 304 || status == 412) return false;
  if (status < 200 || status >= 300) return true;
  // A server that ignored the condition: judge by Last-Modified (curl's
  // "the requested document is not new enough").
  std::optional<absl::string_view> lm = response_.headers.Find("Last-Modified");
  std::optional<int64_t> modified = lm ? ParseCookieDate(*lm) : std::nullopt;
  if (!modified) return true;
  if (o.if_modified_since >= 0 && *modified <= o.if_modified_since) return false;
  if (o.if_unmodified_since >= 0 && *modified > o.if_unmodified_since) return false;
  return true;
}

strata_status Transfer::StartDecoding() {
  if (!request_.options.accept_encoding || h_.discard_body) return STRATA_OK;
  // The field may be repeated: the lists join (RFC 9110 §5.3).
  std::string codings;
  for (FieldView h : response_.headers) {
    if (absl::EqualsIgnoreCase(h.name, "Content-Encoding")) absl::StrAppend(&codings, codings.empty() ? "" : ",", h.value);
  }
  if (codings.empty()) return STRATA_OK;
  absl::StatusOr<std::unique_ptr<DecoderStack>> stack = DecoderStack::Create(codings, runtime_->DecodeLimitsFor(request_));
  if (!stack.ok()) {
    h_.error = {STRATA_E_CONTENT_ENCODING, "decoding", std::string(stack.status().message())};
    return STRATA_E_CONTENT_ENCODING;
  }
  h_.decoder = *std::move(stack);
  return STRATA_OK;
}

strata_status Transfer::DecodeFailed(const absl::Status& status) {
  // The sink's own error (writer, memory limit) is already in h_.error.
  if (h_.error.status != STRATA_OK) return h_.error.status;
  strata_status code = absl::IsResourceExhausted(status) ? STRATA_E_LIMIT : STRATA_E_CONTENT_ENCODING;
  h_.error = {code, "decoding", std::string(status.message())};
  return code;
}

strata_status Transfer::CheckResumed(int status) {
  const int64_t from = request_.options.resume_from;
  if (status == 416) {
    // The range starts at or past the end: the file is complete (curl
    // reports success and writes nothing).
    h_.discard_body = true;
    return STRATA_OK;
  }
  auto fail = [&](std::string why) {
    h_.error = {STRATA_E_RANGE, "http", std::move(why)};
    return STRATA_E_RANGE;
  };
  if (status == 200) {
    return fail(absl::StrCat("the server ignored the range (200 instead of 206): cannot resume at byte ", from));
  }
  if (status != 206) return STRATA_OK;  // an error or redirect status stands as it is
  // RFC 9110 §14.4: "bytes first-last/complete" (complete may be "*").
  std::optional<absl::string_view> range = response_.headers.Find("Content-Range");
  int64_t first = -1;
  if (range) {
    absl::string_view v = absl::StripAsciiWhitespace(*range);
    if (absl::ConsumePrefix(&v, "bytes ")) {
      size_t dash = v.find('-');
      if (dash == absl::string_view::npos || !absl::SimpleAtoi(v.substr(0, dash), &first)) first = -1;
    }
  }
  if (first < 0) {
    return fail(absl::StrCat("a 206 to a resumed request without a usable Content-Range (",
                             range ? *range : absl::string_view("none"), "): cannot resume at byte ", from));
  }
  if (first != from) {
    return fail(absl::StrCat("the server resumed at byte ", first, ", not at byte ", from, " as asked"));
  }
  return STRATA_OK;
}

strata_status Transfer::OnData(const uint8_t* data, size_t len) {
  last_progress_ms_ = MonotonicMs();
  if (h_.discard_body) return STRATA_OK;
  response_.size_download += static_cast<int64_t>(len);
  if (!h_.decoder) return Deliver(data, len);
  absl::Status s = h_.decoder->Decode(absl::string_view(reinterpret_cast<const char*>(data), len), [this](absl::string_view piece) { return DeliverDecoded(piece); });
  return s.ok() ? STRATA_OK : DecodeFailed(s);
}

absl::Status Transfer::DeliverDecoded(absl::string_view piece) {
  strata_status st = Deliver(reinterpret_cast<const uint8_t*>(piece.data()), piece.size());
  // The cause is in h_.error already; the status only stops the decoder.
  return st == STRATA_OK ? absl::OkStatus() : absl::AbortedError("delivery failed");
}

strata_status Transfer::Deliver(const uint8_t* data, size_t len) {
  if (request_.writer) {
    delivered_ += static_cast<int64_t>(len);
    strata_status st = request_.writer(request_.writer_user, data, len);
    if (st < 0) {
      h_.error = {STRATA_E_BODY, "runtime",
                    absl::StrCat("response body writer failed with ", strata_status_name(st))};
      return STRATA_E_BODY;
    }
    return STRATA_OK;
  }
  int64_t limit = runtime_->MaxBodyBytes(request_);
  if (static_cast<int64_t>(response_.body.size() + len) > limit) {
    h_.error = {STRATA_E_LIMIT, "runtime",
                  absl::StrCat("response body exceeds the limit of ", limit,
                               " bytes kept in memory (use a body writer, or raise limits.max_body_bytes)")};
    return STRATA_E_LIMIT;
  }
  response_.body.append(reinterpret_cast<const char*>(data), len);
  return STRATA_OK;
}

void Transfer::OnEnd(const strata_header*, size_t) {
  if (h_.decoder) {
    absl::Status s = h_.decoder->Finish([this](absl::string_view piece) { return DeliverDecoded(piece); });
    if (!s.ok()) {
      // The exchange itself ended well; its body did not decode.
      DecodeFailed(s);
      h_.failed = true;
      runtime_->Wake(this);
      return;
    }
  }
  h_.finished = true;
  runtime_->Wake(this);
}

void Transfer::OnError(strata_status status, const std::string& layer, const std::string& message) {
  h_.failed = true;
  // An error the runtime itself raised inside a callback (body writer,
  // limits) is the root cause; keep it.
  if (h_.error.status == STRATA_OK) h_.error = {status, layer, message};
  runtime_->Wake(this);
}

void Transfer::Fail(strata_status status, const std::string& layer, const std::string& message) {
  phase_ = Phase::kDone;
  result_ = status;
  error_ = std::make_unique<strata_error>();
  error_->struct_size = sizeof(strata_error);
  error_->code = status;
  error_->hop = hop_;
  std::string url = hop_request_.url.host.empty() ? request_.url : hop_request_.url.ToString(false);
  CopyTruncated(error_->layer, sizeof(error_->layer), layer);
  CopyTruncated(error_->url, sizeof(error_->url), url);
  error_->http_connect = response_.http_connect;
  std::string full = absl::StrCat(layer, ": ", message, " (hop ", hop_, ", ", url, ")");
  CopyTruncated(error_->message, sizeof(error_->message), full);
  response_.time_total_us = MonotonicUs() - started_us_;
}

void Transfer::Succeed() {
  phase_ = Phase::kDone;
  result_ = STRATA_OK;
  response_.time_total_us = MonotonicUs() - started_us_;
  response_.effective_url = hop_request_.url.ToString(false);
  response_.effective_method = hop_request_.method;
  response_.size_upload = h_.body_sent;
}

}  // namespace strata
