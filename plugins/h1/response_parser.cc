#include "plugins/h1/response_parser.h"

#include <cstring>
#include <limits>
#include <utility>

#include "plugins/h1/http_chars.h"

namespace strata::h1 {
namespace {

// NextLine splits the first line off |*block| (a run of complete lines) and
// returns it without its line end: LF, or CR LF. A bare LF is accepted.
std::string_view NextLine(std::string_view* block) {
  size_t lf = block->find('\n');
  std::string_view line;
  if (lf == std::string_view::npos) {
    line = *block;
    block->remove_prefix(block->size());
  } else {
    line = block->substr(0, lf);
    block->remove_prefix(lf + 1);
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

absl::Status Malformed(const std::string& what) {
  return absl::InvalidArgumentError(what);
}

// ForEachListElement calls |fn| with each non-empty, trimmed element of a
// comma-separated field value (RFC 9110 §5.6.1 allows empty elements).
template <typename Fn>
void ForEachListElement(std::string_view value, Fn&& fn) {
  while (true) {
    size_t comma = value.find(',');
    std::string_view element = TrimOws(value.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// ParseContentLength accepts 1*DIGIT up to INT64_MAX (HOSTILE 54: no sign,
// no hex, no 20-digit values).
bool ParseContentLength(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = v;
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ResponseParser::ResponseParser(RequestContext request, ResponseParserLimits limits)
    : request_(request), limits_(limits) {}

void ResponseParser::Reset(RequestContext request) {
  // Every member but limits_, as the constructor leaves it (a member added
  // to the class is added here too; response_parser_test compares a reset
  // parser with a new one).
  request_ = request;
  state_ = State::kHead;
  head_buf_.clear();
  restart_head_ = false;
  line_len_ = 0;
  informational_bytes_ = 0;
  line_buf_.clear();
  trailer_buf_.clear();
  folded_.clear();
  head_.version = 0;
  head_.status = 0;
  head_.reason = {};
  head_.fields.clear();
  trailers_.clear();
  data_ = {};
  framing_ = BodyFraming::kUnknown;
  content_length_.reset();
  remaining_ = 0;
  body_bytes_ = 0;
  started_ = false;
  upgraded_ = false;
  reusable_ = true;
}

absl::Status ResponseParser::Failed(absl::Status status) {
  state_ = State::kFailed;
  return status;
}

absl::StatusOr<ResponseEvent> ResponseParser::Parse(std::string_view input,
                                                    size_t* out_consumed) {
  *out_consumed = 0;
  data_ = {};
  // Steps that only change state (a chunk-size line, the CRLF after chunk
  // data) answer kNeedMore before the input is used up; carry on with the
  // rest so that kNeedMore reaches the caller only with all input consumed.
  size_t total = 0;
  while (true) {
    size_t used = 0;
    absl::StatusOr<ResponseEvent> event = Step(input.substr(total), &used);
    total += used;
    if (!event.ok()) return event;
    if (*event != ResponseEvent::kNeedMore || total == input.size()) {
      *out_consumed = total;
      return event;
    }
    if (used == 0) {
      return Failed(absl::InternalError("response parser made no progress"));
    }
  }
}

absl::StatusOr<ResponseEvent> ResponseParser::Step(std::string_view input,
                                                   size_t* out_consumed) {
  *out_consumed = 0;
  switch (state_) {
    case State::kHead:
      return ParseHeadBytes(input, out_consumed);

    case State::kFixedBody: {
      if (input.empty()) return ResponseEvent::kNeedMore;
      size_t n = input.size() < remaining_ ? input.size() : static_cast<size_t>(remaining_);
      data_ = input.substr(0, n);
      remaining_ -= n;
      body_bytes_ += n;
      *out_consumed = n;
      if (remaining_ == 0) state_ = State::kEndPending;
      return ResponseEvent::kData;
    }

    case State::kChunkSize:
      return ParseChunkSizeBytes(input, out_consumed);

    case State::kChunkData: {
      if (input.empty()) return ResponseEvent::kNeedMore;
      size_t n = input.size() < remaining_ ? input.size() : static_cast<size_t>(remaining_);
      data_ = input.substr(0, n);
      remaining_ -= n;
      body_bytes_ += n;
      *out_consumed = n;
      if (remaining_ == 0) {
        state_ = State::kChunkDataEnd;
        line_len_ = 0;
      }
      return ResponseEvent::kData;
    }

    case State::kChunkDataEnd: {
      // line_len_ counts a CR already seen after the chunk data.
      size_t i = 0;
      for (; i < input.size(); ++i) {
        char c = input[i];
        if (c == '\r' && line_len_ == 0) {
          line_len_ = 1;
          continue;
        }
        if (c == '\n') {
          line_len_ = 0;
          state_ = State::kChunkSize;
          *out_consumed = i + 1;
          return ResponseEvent::kNeedMore;
        }
        return Failed(Malformed(
            "malformed chunked body: chunk data is not followed by CRLF (chunk "
            "longer than its declared size)"));
      }
      *out_consumed = input.size();
      return ResponseEvent::kNeedMore;
    }

    case State::kTrailers:
      return ParseTrailerBytes(input, out_consumed);

    case State::kUntilClose:
      if (input.empty()) return ResponseEvent::kNeedMore;
      data_ = input;
      body_bytes_ += input.size();
      *out_consumed = input.size();
      return ResponseEvent::kData;

    case State::kEndPending:
      state_ = State::kDone;
      return ResponseEvent::kEnd;

    case State::kDone:
      if (input.empty()) return ResponseEvent::kNeedMore;
      return absl::FailedPreconditionError(
          Cat(input.size(), " bytes follow the end of the response"));

    case State::kFailed:
      break;
  }
  return absl::FailedPreconditionError("the response parser already failed");
}

absl::Status ResponseParser::AccumulateBlock(std::string_view input,
                                             std::string* block,
                                             size_t block_limit,
                                             const char* what,
                                             size_t* out_consumed,
                                             bool* out_complete) {
  *out_complete = false;
  size_t pos = 0;
  while (pos < input.size()) {
    const void* lf = std::memchr(input.data() + pos, '\n', input.size() - pos);
    size_t end = lf ? static_cast<size_t>(static_cast<const char*>(lf) - input.data()) + 1
                    : input.size();
    size_t piece = end - pos;
    line_len_ += piece;
    if (line_len_ > limits_.max_header_line_bytes) {
      return Failed(absl::ResourceExhaustedError(
          Cat(what, " line longer than ", limits_.max_header_line_bytes,
                       " bytes (max_header_line_bytes)")));
    }
    if (block->size() + piece > block_limit) {
      return Failed(absl::ResourceExhaustedError(
          Cat(what, " larger than ", block_limit,
                       " bytes (max_header_bytes)")));
    }
    block->append(input.data() + pos, piece);
    pos = end;
    if (lf != nullptr) {
      bool empty_line = line_len_ == 1 || (line_len_ == 2 && (*block)[block->size() - 2] == '\r');
      line_len_ = 0;
      if (empty_line) {
        *out_complete = true;
        break;
      }
    }
  }
  *out_consumed = pos;
  return absl::OkStatus();
}

absl::StatusOr<ResponseEvent> ResponseParser::ParseHeadBytes(std::string_view input,
                                                             size_t* out_consumed) {
  if (input.empty()) return ResponseEvent::kNeedMore;
  started_ = true;
  if (restart_head_) {
    head_buf_.clear();
    restart_head_ = false;
  }
  // Reject a reply that is not HTTP/1.x as soon as its first bytes show it
  // (HTTP/0.9 or garbage, HOSTILE 65) instead of buffering up to the limits.
  // Checked before the bytes are accumulated, so the verdict does not depend
  // on how the input was split (a long garbage line in one piece used to
  // hit max_header_line_bytes first).
  static constexpr std::string_view kPrefix = "HTTP/";
  if (head_buf_.size() < kPrefix.size()) {
    std::string start = head_buf_;
    start.append(input.substr(0, kPrefix.size() - head_buf_.size()));
    if (std::string_view(start) != kPrefix.substr(0, start.size())) {
      std::string line = head_buf_;
      line.append(input.substr(0, std::min<size_t>(input.find('\n'), 128)));
      if (size_t lf = line.find('\n'); lf != std::string::npos) line.resize(lf);
      return Failed(Malformed(Cat(
          "malformed status line: the reply does not start with \"HTTP/\" (got ",
          Quoted(line), ")")));
    }
  }
  bool complete = false;
  absl::Status st = AccumulateBlock(input, &head_buf_, limits_.max_header_block_bytes,
                                    "response head", out_consumed, &complete);
  if (!st.ok()) return st;
  if (!complete) return ResponseEvent::kNeedMore;
  return FinishHead();
}

absl::StatusOr<ResponseEvent> ResponseParser::FinishHead() {
  std::string_view block = head_buf_;
  if (block.find('\0') != std::string_view::npos) {
    return Failed(Malformed("NUL byte in the response head"));
  }
  // A new head, keeping the field list's capacity (no views of the last
  // head survive a failure below).
  head_.version = 0;
  head_.status = 0;
  head_.reason = {};
  head_.fields.clear();
  folded_.clear();

  // Status line: HTTP-version SP 3DIGIT SP [reason-phrase] (RFC 9112 §4).
  std::string_view line = NextLine(&block);
  std::string_view rest = line;
  auto malformed = [&](std::string_view why) {
    return Failed(Malformed(Cat("malformed status line: ", why, " in ", Quoted(line))));
  };
  if (line.find('\r') != std::string_view::npos) return malformed("bare CR");
  rest.remove_prefix(5);  // "HTTP/", checked while reading
  if (rest.size() < 3 || rest[0] < '0' || rest[0] > '9' || rest[1] != '.' ||
      rest[2] < '0' || rest[2] > '9' || (rest.size() > 3 && rest[3] != ' ')) {
    return malformed("bad HTTP version");
  }
  if (rest[0] != '1') {
    return Failed(Malformed(Cat("unsupported HTTP version in status line ",
                                         Quoted(line), " (expected HTTP/1.x)")));
  }
  // RFC 9112 §2.3: a higher minor version is handled as the highest we know.
  head_.version = rest[2] == '0' ? 10 : 11;
  if (rest.size() < 4) return malformed("no status code");
  rest.remove_prefix(4);
  if (rest.size() < 3 || rest[0] < '1' || rest[0] > '9' || rest[1] < '0' || rest[1] > '9' ||
      rest[2] < '0' || rest[2] > '9' || (rest.size() > 3 && rest[3] != ' ')) {
    return malformed("status code is not three digits");
  }
  head_.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  // Some servers omit the SP before an empty reason; accept "HTTP/1.1 200".
  head_.reason = rest.size() > 4 ? rest.substr(4) : std::string_view();

  absl::Status st = ParseFields(block, &head_.fields);
  if (!st.ok()) return Failed(st);

  if (head_.informational() && head_.status != 101) {
    informational_bytes_ += head_buf_.size();
    if (informational_bytes_ > limits_.max_informational_bytes) {
      return Failed(absl::ResourceExhaustedError(Cat(
          "informational (1xx) responses exceed ", limits_.max_informational_bytes,
          " bytes (max_1xx_bytes)")));
    }
    // head_ points into head_buf_; it is cleared when the next head starts.
    restart_head_ = true;
    return ResponseEvent::kHead;
  }
  st = DecideFraming();
  if (!st.ok()) return Failed(st);
  return ResponseEvent::kHead;
}

absl::Status ResponseParser::DecideFraming() {
  bool connection_close = false;
  bool keep_alive = false;
  bool has_te = false;
  std::vector<std::string> codings;
  bool has_cl = false;
  uint64_t cl = 0;
  absl::Status cl_error;
  for (const HeaderField& f : head_.fields) {
    if (EqualsIgnoreCase(f.name, "connection")) {
      ForEachListElement(f.value, [&](std::string_view token) {
        if (EqualsIgnoreCase(token, "close")) connection_close = true;
        if (EqualsIgnoreCase(token, "keep-alive")) keep_alive = true;
      });
    } else if (EqualsIgnoreCase(f.name, "transfer-encoding")) {
      has_te = true;
      ForEachListElement(f.value, [&](std::string_view element) {
        std::string_view coding = TrimOws(element.substr(0, element.find(';')));
        codings.push_back(AsciiLower(coding));
      });
    } else if (EqualsIgnoreCase(f.name, "content-length")) {
      bool any = false;
      ForEachListElement(f.value, [&](std::string_view element) {
        any = true;
        if (!cl_error.ok()) return;
        uint64_t v = 0;
        if (!ParseContentLength(element, &v)) {
          cl_error = Malformed(Cat("invalid Content-Length value ", Quoted(element)));
        } else if (has_cl && v != cl) {
          cl_error = Malformed(Cat("two different Content-Length values (", cl,
                                            ", ", v, ")"));
        } else {
          has_cl = true;
          cl = v;
        }
      });
      if (!any && cl_error.ok()) cl_error = Malformed("empty Content-Length value");
    }
  }

  if (head_.version == 11) {
    reusable_ = !connection_close;
  } else {
    reusable_ = keep_alive && !connection_close;
  }
  // Doubtful framing (RFC 9112 §6.1, §6.3 rule 3, HOSTILE 55/57): a peer or
  // intermediary may disagree with us about where this message ends.
  if (has_te && (has_cl || head_.version == 10)) reusable_ = false;

  state_ = State::kEndPending;
  framing_ = BodyFraming::kNone;
  if (head_.status == 101) {
    if (!request_.upgrade_requested) {
      return Malformed(
          "unexpected 101 Switching Protocols: the request did not ask for an upgrade");
    }
    upgraded_ = true;
    reusable_ = false;
    return absl::OkStatus();
  }
  if (request_.connect_request && head_.status >= 200 && head_.status < 300) {
    // HOSTILE 69: CL and TE mean nothing here; the tunnel starts now.
    reusable_ = false;
    return absl::OkStatus();
  }
  if (!cl_error.ok()) return cl_error;
  if (request_.head_request || head_.status == 204 || head_.status == 304) {
    if (has_cl) content_length_ = cl;
    return absl::OkStatus();
  }
  if (has_te) {
    if (codings.empty()) return Malformed("empty Transfer-Encoding");
    size_t chunked = 0;
    for (const std::string& c : codings) chunked += c == "chunked";
    if (chunked > 1) {
      return Malformed("Transfer-Encoding applies chunked more than once");
    }
    if (codings.back() == "chunked") {
      framing_ = BodyFraming::kChunked;
      state_ = State::kChunkSize;
      line_len_ = 0;
      return absl::OkStatus();
    }
    // RFC 9112 §6.3 rule 4 (response): chunked not final, or only codings we
    // do not frame by → the body ends when the connection closes.
    framing_ = BodyFraming::kUntilClose;
    state_ = State::kUntilClose;
    reusable_ = false;
    return absl::OkStatus();
  }
  if (has_cl) {
    framing_ = BodyFraming::kContentLength;
    content_length_ = cl;
    remaining_ = cl;
    state_ = cl == 0 ? State::kEndPending : State::kFixedBody;
    return absl::OkStatus();
  }
  framing_ = BodyFraming::kUntilClose;
  state_ = State::kUntilClose;
  reusable_ = false;
  return absl::OkStatus();
}

absl::Status ResponseParser::ParseFields(std::string_view lines,
                                         std::vector<HeaderField>* out_fields) {
  out_fields->clear();
  while (!lines.empty()) {
    std::string_view line = NextLine(&lines);
    if (line.empty()) break;  // the empty line ending the section
    if (line.find('\r') != std::string_view::npos) {
      return Malformed(Cat("bare CR in header line ", Quoted(line)));
    }
    if (IsOws(line.front())) {
      // obs-fold (RFC 9112 §5.2): replace the fold with SP; never a new field.
      if (out_fields->empty()) {
        return Malformed(Cat("whitespace before the first header field: ",
                                      Quoted(line)));
      }
      HeaderField& last = out_fields->back();
      std::string_view more = TrimOws(line);
      if (more.empty()) continue;
      for (char c : more) {
        if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
          return Malformed(Cat("control character in a folded header line (RFC 9110 §5.5): ",
                               Quoted(line)));
        }
      }
      std::string joined(last.value);
      if (!joined.empty()) joined += ' ';
      joined.append(more);
      folded_.push_back(std::move(joined));
      last.value = folded_.back();
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Malformed(Cat("header line without a colon: ", Quoted(line)));
    }
    std::string_view name = line.substr(0, colon);
    if (!name.empty() && IsOws(name.back())) {
      return Malformed(Cat("whitespace between header name and colon: ",
                                    Quoted(line)));
    }
    if (!IsToken(name)) {
      return Malformed(Cat("invalid header name ", Quoted(name)));
    }
    if (out_fields->size() >= limits_.max_header_count) {
      return absl::ResourceExhaustedError(Cat(
          "more than ", limits_.max_header_count, " header fields (max_header_count)"));
    }
    std::string_view value = TrimOws(line.substr(colon + 1));
    for (char c : value) {
      if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
        return Malformed(Cat("control character in the value of header ", Quoted(name),
                             " (RFC 9110 §5.5): ", Quoted(value)));
      }
    }
    out_fields->push_back(HeaderField{name, value});
  }
  return absl::OkStatus();
}

absl::StatusOr<ResponseEvent> ResponseParser::ParseChunkSizeBytes(std::string_view input,
                                                                  size_t* out_consumed) {
  if (input.empty()) return ResponseEvent::kNeedMore;
  const void* lf = std::memchr(input.data(), '\n', input.size());
  size_t end = lf ? static_cast<size_t>(static_cast<const char*>(lf) - input.data()) + 1
                  : input.size();
  if (line_buf_.size() + end > limits_.max_header_line_bytes) {
    return Failed(absl::ResourceExhaustedError(Cat(
        "chunk-size line longer than ", limits_.max_header_line_bytes,
        " bytes (max_header_line_bytes)")));
  }
  line_buf_.append(input.data(), end);
  *out_consumed = end;
  if (lf == nullptr) return ResponseEvent::kNeedMore;
  absl::Status st = FinishChunkSizeLine();
  if (!st.ok()) return Failed(st);
  return ResponseEvent::kNeedMore;
}

absl::Status ResponseParser::FinishChunkSizeLine() {
  std::string_view rest = line_buf_;
  std::string_view line = NextLine(&rest);
  auto malformed = [&](std::string_view why) {
    return Malformed(Cat("malformed chunked body: ", why, " in chunk-size line ",
                                  Quoted(line)));
  };
  if (line.find('\r') != std::string_view::npos) return malformed("bare CR");
  if (line.find('\0') != std::string_view::npos) return malformed("NUL byte");
  size_t digits = 0;
  uint64_t size = 0;
  while (digits < line.size() && HexValue(line[digits]) >= 0) {
    if (digits == limits_.max_chunk_size_digits || size > (UINT64_MAX >> 4)) {
      return malformed(Cat("chunk size longer than ", limits_.max_chunk_size_digits,
                                    " hex digits"));
    }
    size = (size << 4) | static_cast<uint64_t>(HexValue(line[digits]));
    ++digits;
  }
  if (digits == 0) return malformed("chunk size is not hexadecimal");
  std::string_view ext = line.substr(digits);
  while (!ext.empty() && IsOws(ext.front())) ext.remove_prefix(1);
  // chunk-ext (RFC 9112 §7.1.1) carries nothing we use; accept and ignore it.
  if (!ext.empty() && ext.front() != ';') return malformed("unexpected characters after the size");
  line_buf_.clear();
  if (size == 0) {
    state_ = State::kTrailers;
    trailer_buf_.clear();
    line_len_ = 0;
  } else {
    remaining_ = size;
    state_ = State::kChunkData;
  }
  return absl::OkStatus();
}

absl::StatusOr<ResponseEvent> ResponseParser::ParseTrailerBytes(std::string_view input,
                                                                size_t* out_consumed) {
  if (input.empty()) return ResponseEvent::kNeedMore;
  bool complete = false;
  absl::Status st = AccumulateBlock(input, &trailer_buf_, limits_.max_header_block_bytes,
                                    "trailer section", out_consumed, &complete);
  if (!st.ok()) return st;
  if (!complete) return ResponseEvent::kNeedMore;
  if (trailer_buf_.find('\0') != std::string::npos) {
    return Failed(Malformed("NUL byte in the trailer section"));
  }
  folded_.clear();
  st = ParseFields(trailer_buf_, &trailers_);
  if (!st.ok()) return Failed(st);
  state_ = State::kDone;
  return ResponseEvent::kEnd;
}

absl::StatusOr<ResponseEvent> ResponseParser::ParseEof() {
  data_ = {};
  switch (state_) {
    case State::kHead:
      if (!started_) {
        return Failed(absl::DataLossError(
            "connection closed before any response bytes arrived"));
      }
      return Failed(absl::DataLossError(Cat(
          "response truncated: connection closed inside the response head after ",
          head_buf_.size(), " bytes")));
    case State::kFixedBody:
      return Failed(absl::DataLossError(Cat(
          "response truncated: connection closed after ", body_bytes_, " of ",
          *content_length_, " body bytes")));
    case State::kChunkSize:
    case State::kChunkData:
    case State::kChunkDataEnd:
      return Failed(absl::DataLossError(Cat(
          "response truncated: connection closed inside the chunked body after ",
          body_bytes_, " body bytes (no last chunk)")));
    case State::kTrailers:
      return Failed(absl::DataLossError(
          "response truncated: connection closed inside the trailer section"));
    case State::kUntilClose:
    case State::kEndPending:
    case State::kDone:
      state_ = State::kDone;
      return ResponseEvent::kEnd;
    case State::kFailed:
      break;
  }
  return absl::FailedPreconditionError("the response parser already failed");
}

}  // namespace strata::h1
