#include "runtime/client/hop_timing.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/client/transfer.h"

namespace strata {
namespace {

// Since is |at| measured from |start|, at least 1 µs once reached (curl's
// rule: a timer that fired never reads 0); 0 if |at| never happened.
uint64_t Since(uint64_t start, uint64_t at) {
  if (at == 0) return 0;
  return at > start ? at - start : 1;
}

size_t Digits(int64_t n) {
  size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

}  // namespace

int64_t RequestHeadSize(const strata_request_head& head, size_t target_len) {
  // "METHOD target HTTP/1.1\r\n" "Host: authority\r\n"
  int64_t size = static_cast<int64_t>(std::char_traits<char>::length(head.method) + 1 + target_len + 11 + 6 +
                                      std::char_traits<char>::length(head.authority) + 2);
  for (size_t i = 0; i < head.header_count; ++i) {
    size += static_cast<int64_t>(head.headers[i].name_len + 2 + head.headers[i].value_len + 2);
  }
  if (head.content_length < 0) {
    size += 28;  // "Transfer-Encoding: chunked\r\n"
  } else if (head.content_length > 0) {
    size += static_cast<int64_t>(16 + Digits(head.content_length) + 2);  // "Content-Length: N\r\n"
  }
  return size + 2;
}

int64_t ResponseHeadSize(const strata_response_head& head) {
  // "HTTP/1.1 200 OK\r\n", "HTTP/2 200 \r\n", "HTTP/3 200 \r\n"
  size_t version = head.http_version == 20 || head.http_version == 30 ? 1 : 3;
  int64_t size = static_cast<int64_t>(5 + version + 1 + 3 + 1 + head.reason_len + 2);
  for (size_t i = 0; i < head.header_count; ++i) {
    size += static_cast<int64_t>(head.headers[i].name_len + 2 + head.headers[i].value_len + 2);
  }
  return size + 2;
}

void AddHop(const HopState& hop, Connection* conn, Response* r) {
  const uint64_t start = hop.started_us;
  const bool ready = conn != nullptr && conn->state() == Connection::State::kReady;
  if (ready) {
    const ConnectionFacts& f = conn->Facts();
    if (!hop.conn_reused) {
      r->time_namelookup_us += Since(start, conn->connect_started_us() + static_cast<uint64_t>(f.namelookup_us));
      r->time_tcp_connect_us += Since(start, f.bottom_ready_us);
      r->time_appconnect_us += Since(start, f.secure_ready_us);
      r->layer_times.clear();
      for (const auto& [name, at] : f.layer_ready_us) {
        absl::StrAppend(&r->layer_times, r->layer_times.empty() ? "" : " ", name, "=", Since(start, at));
      }
    } else {
      // curl still reports the (short) time it took to find the
      // connection as its name lookup.
      r->time_namelookup_us += Since(start, hop.stream_opened_us);
      r->layer_times.clear();
    }
    r->remote_ip = f.remote_ip;
    r->remote_port = f.remote_port;
    r->local_ip = f.local_ip;
    r->local_port = f.local_port;
    r->tls_verify_result = f.tls_verify_result;
    r->proxy_tls_verify_result = f.proxy_tls_verify_result;
  }
  r->time_pretransfer_us += Since(start, hop.stream_opened_us);
  r->time_starttransfer_us += Since(start, hop.first_head_us);
  if (hop.stream_opened_us != 0) {
    // HTTP/1: what the session layer wrote (head, framing, body) is the
    // request, exactly; HTTP/2 frames carry other streams too.
    // A hop that failed before any head asks the connection (rare, so the
    // query costs nothing on the way of a normal exchange).
    const int32_t version = hop.http_version != 0 || conn == nullptr || !ready ? hop.http_version : conn->HttpVersion();
    if (conn != nullptr && version != 20) {
      r->size_request += static_cast<int64_t>(conn->session_bytes_out() - hop.session_bytes_at_open);
    } else {
      // "HTTP/2" in the request line is two bytes shorter than "HTTP/1.1".
      r->size_request += hop.request_head_size - (version == 20 || version == 30 ? 2 : 0) + hop.body_sent;
    }
  }
}

}  // namespace strata
