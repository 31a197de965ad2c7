#include "plugins/h2_upgrade/upgrade_layer.h"

#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "plugins/h2/layer/request_headers.h"

namespace strata::h2 {
namespace {

// Origins remembered at most; expired entries go first, then the oldest.
constexpr size_t kMaxRememberedOrigins = 1024;

std::mutex& MemoryMutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, uint64_t>& MemoryMap() {
  static auto* m = new std::map<std::string, uint64_t>();  // never destroyed: used at exit
  return *m;
}

absl::string_view View(const char* p, size_t n) { return p ? absl::string_view(p, n) : ""; }

// HasField: the request carries a field named |name|.
bool HasField(const strata_request_head& head, absl::string_view name) {
  for (size_t i = 0; i < head.header_count; ++i) {
    if (absl::EqualsIgnoreCase(View(head.headers[i].name, head.headers[i].name_len), name)) {
      return true;
    }
  }
  return false;
}

// UpgradesToH2c: the 101's Upgrade field names exactly the protocol we
// asked for (RFC 9110 §7.8: the protocols switched to, in order).
bool UpgradesToH2c(const h1::ResponseHead& head, std::string* seen) {
  bool found = false;
  bool only_h2c = true;
  for (const h1::HeaderField& f : head.fields) {
    const absl::string_view name(f.name.data(), f.name.size());
    if (!absl::EqualsIgnoreCase(name, "upgrade")) continue;
    found = true;
    const absl::string_view value(f.value.data(), f.value.size());
    absl::StrAppend(seen, seen->empty() ? "" : ", ", value);
    for (absl::string_view token : absl::StrSplit(value, ',')) {
      // Optional whitespace is SP and HTAB only (RFC 9110 §5.6.3): a form
      // feed or vertical tab around "h2c" is not the token we asked for.
      absl::string_view t = token;
      while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
      only_h2c = only_h2c && absl::EqualsIgnoreCase(t, "h2c");
    }
  }
  return found && only_h2c;
}

}  // namespace

DeclineMemory& DeclineMemory::Instance() {
  static DeclineMemory memory;
  return memory;
}

void DeclineMemory::Declined(const std::string& origin, uint64_t now_ms, uint64_t memory_ms) {
  if (memory_ms == 0) return;
  std::lock_guard<std::mutex> lock(MemoryMutex());
  auto& m = MemoryMap();
  m[origin] = now_ms + memory_ms;
  if (m.size() <= kMaxRememberedOrigins) return;
  for (auto it = m.begin(); it != m.end();) it = it->second <= now_ms ? m.erase(it) : std::next(it);
  while (m.size() > kMaxRememberedOrigins) {
    auto oldest = m.begin();
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (it->second < oldest->second) oldest = it;
    }
    m.erase(oldest);
  }
}

bool DeclineMemory::RecentlyDeclined(const std::string& origin, uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(MemoryMutex());
  auto& m = MemoryMap();
  auto it = m.find(origin);
  if (it == m.end()) return false;
  if (it->second > now_ms) return true;
  m.erase(it);
  return false;
}

void DeclineMemory::Clear() {
  std::lock_guard<std::mutex> lock(MemoryMutex());
  MemoryMap().clear();
}

UpgradeLayer::UpgradeLayer(strata_layer_ctx* ctx, const strata_layer_config* config)
    : SessionLayer(ctx),
      origin_(absl::StrCat(config && config->host ? config->host : "", ":",
                           config ? config->port : 0)),
      options_(ReadH2LayerOptions(*this)),
      decline_memory_ms_(ReadUintOption(*this, "h2-upgrade", "decline_memory_ms", 0,
                                        uint64_t{1} << 40, 3600000)),
      h1_(std::make_unique<h1::H1Session>(ctx, config)) {
  h1_->set_upgrade_handler(this);
}

strata_status UpgradeLayer::Connect(int* done) { return h1_->Connect(done); }

uint32_t UpgradeLayer::Capacity() { return h2_ ? h2_->Capacity() : h1_->Capacity(); }

strata_status UpgradeLayer::OpenStream(const strata_request_head* head, void* user,
                                       uint32_t* out_id) {
  if (h2_) return h2_->OpenStream(head, user, out_id);
  if (state_ != State::kFresh || head == nullptr ||
      !STRATA_HAS_FIELD(head, strata_request_head, flags) || head->method == nullptr) {
    return h1_->OpenStream(head, user, out_id);
  }
  if (DeclineMemory::Instance().RecentlyDeclined(origin_, NowMs())) {
    state_ = State::kSkipped;
    Log(STRATA_LOG_INFO, absl::StrCat("h2c upgrade not asked: ", origin_,
                                      " declined it recently (decline_memory_ms)"));
    return h1_->OpenStream(head, user, out_id);
  }
  if (RequestHasBody(*head) || HasField(*head, "connection") || HasField(*head, "upgrade") ||
      HasField(*head, "http2-settings")) {
    // A body would have to be read in full before the switch (curl skips
    // these too); the application's own Upgrade/Connection fields win.
    state_ = State::kSkipped;
    Log(STRATA_LOG_INFO, "h2c upgrade not asked: the first request has a body or its own "
                         "Upgrade/Connection fields; staying on HTTP/1.1");
    return h1_->OpenStream(head, user, out_id);
  }
  const std::string settings = Http2SettingsHeaderValue(options_.session);
  std::vector<strata_header> fields(head->headers, head->headers + head->header_count);
  auto add = [&](const char* name, const std::string& value) {
    fields.push_back(strata_header{name, std::strlen(name), value.data(), value.size()});
  };
  const std::string connection = "Upgrade, HTTP2-Settings";
  const std::string upgrade = "h2c";
  add("Connection", connection);
  add("Upgrade", upgrade);
  add("HTTP2-Settings", settings);
  strata_request_head asking = *head;
  asking.headers = fields.data();
  asking.header_count = fields.size();
  strata_status st = h1_->OpenStream(&asking, user, out_id);
  if (st != STRATA_OK) return st;
  state_ = State::kAsked;
  head_request_ = std::string_view(head->method) == "HEAD";
  Log(STRATA_LOG_INFO, "asking the server to upgrade to h2c (Upgrade: h2c)");
  return STRATA_OK;
}

strata_status UpgradeLayer::OnSwitchingProtocols(void* user, const h1::ResponseHead& head,
                                                 std::string_view rest, std::string* message) {
  std::string seen;
  if (state_ != State::kAsked) {
    *message = "101 Switching Protocols although this request did not ask for an upgrade";
    return STRATA_E_PROTOCOL;
  }
  if (head.version != 11) {
    *message = "101 Switching Protocols in an HTTP/1.0 response (an upgrade needs HTTP/1.1)";
    return STRATA_E_PROTOCOL;
  }
  if (!UpgradesToH2c(head, &seen)) {
    *message = absl::StrCat(
        "101 Switching Protocols without \"Upgrade: h2c\" (",
        seen.empty() ? "no Upgrade field" : absl::StrCat("Upgrade: ", seen),
        "); the connection cannot continue");
    return STRATA_E_PROTOCOL;
  }
  state_ = State::kUpgraded;
  Log(STRATA_LOG_INFO, "h2c upgrade accepted: HTTP/2 from here on (the response comes on stream 1)");
  h2_ = std::make_unique<H2Session>(ctx(), options_);
  return h2_->AdoptUpgrade(
      user, head_request_,
      absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(rest.data()), rest.size()));
}

void UpgradeLayer::OnUpgradeDeclined(void* user, int status) {
  state_ = State::kDeclined;
  DeclineMemory::Instance().Declined(origin_, NowMs(), decline_memory_ms_);
  Log(STRATA_LOG_INFO, absl::StrCat("h2c upgrade declined (the server answered ", status,
                                    "); staying on HTTP/1.1"));
}

strata_status UpgradeLayer::CancelStream(uint32_t id) {
  // Only the first request asks, so the upgraded exchange is id 1 in both
  // the h1 and the h2 numbering.
  return h2_ ? h2_->CancelStream(id) : h1_->CancelStream(id);
}

strata_status UpgradeLayer::Progress() {
  if (h2_) return h2_->Progress();
  strata_status st = h1_->Progress();
  // The switch happened during this call: let HTTP/2 send its preface and
  // read what the server sent after the 101.
  if (st >= 0 && h2_) return h2_->Progress();
  return st;
}

uint32_t UpgradeLayer::PollInterest() { return h2_ ? h2_->PollInterest() : h1_->PollInterest(); }

bool UpgradeLayer::IsReusable() { return h2_ ? h2_->IsReusable() : h1_->IsReusable(); }

std::string UpgradeLayer::Describe() {
  switch (state_) {
    case State::kUpgraded: {
      std::string h2 = h2_->Describe();  // "h2" or "h2(rtt=…)"
      return h2 == "h2" ? "h2-upgrade (upgraded to h2)"
                        : absl::StrCat("h2-upgrade (upgraded to ", h2, ")");
    }
    case State::kDeclined:
      return "h2-upgrade (declined)";
    case State::kAsked:
      return "h2-upgrade (asking)";
    case State::kSkipped:
      return "h2-upgrade (HTTP/1.1, not asked)";
    case State::kFresh:
      break;
  }
  return "h2-upgrade";
}

strata_status UpgradeLayer::Query(uint32_t q, void* out, size_t* len) {
  if (q == STRATA_QUERY_DESCRIBE) return AnswerText(Describe(), out, len);
  if (q == STRATA_QUERY_HTTP_VERSION) return AnswerInt(h2_ ? 20 : 11, out, len);
  return LowerQuery(q, out, len);
}

strata_status UpgradeLayer::Shutdown(int* done) {
  return h2_ ? h2_->Shutdown(done) : h1_->Shutdown(done);
}

}  // namespace strata::h2
