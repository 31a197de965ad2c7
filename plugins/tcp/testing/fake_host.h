// fake_host.h — a stand-in for the strata runtime, for driving one layer
// instance in a test: a strata_host_services table whose callbacks record
// what the layer asks for (watched descriptors, wake-up deadline, options,
// errors, log lines), plus a poll() loop that drives the layer the way the
// event loop would.
//
// It also checks the layer keeps the host contract and lists every breach in
// violations(): unwatching a descriptor that is not watched or already
// closed, watching one twice, and any lower_* call (tcp is the bottom layer).
#ifndef STRATA_PLUGINS_TCP_TESTING_FAKE_HOST_H_
#define STRATA_PLUGINS_TCP_TESTING_FAKE_HOST_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "strata/plugin.h"

namespace strata::tcp::testing {

class FakeHost {
 public:
  FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  // The table to hand to a plugin's init(). Valid while this object lives.
  const strata_host_services* services() const { return &services_; }
  // The ctx for the one layer instance this host serves.
  strata_layer_ctx* ctx() { return reinterpret_cast<strata_layer_ctx*>(this); }

  // SetOption makes option_get answer |text| for |key| (strings unquoted,
  // other values as JSON text, as the runtime does).
  void SetOption(const std::string& key, const std::string& text) { options_[key] = text; }

  const std::set<int>& watched() const { return watched_; }
  uint64_t wake_at() const { return wake_at_; }
  // Every non-zero deadline ever asked for, in order.
  const std::vector<uint64_t>& wake_history() const { return wake_history_; }
  const std::vector<std::string>& logs() const { return logs_; }
  strata_status error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  const std::vector<std::string>& violations() const { return violations_; }
  // LogIndex is the position of the first log line containing |needle|, or -1.
  int LogIndex(const std::string& needle) const;

  static uint64_t NowMs();

  // WaitForEvent blocks until a watched descriptor meets |interest|
  // (STRATA_POLL_* bits), the wake-up deadline passes or |max_wait_ms|
  // elapses, like one turn of the host's event loop.
  void WaitForEvent(uint32_t interest, uint64_t max_wait_ms);

 private:
  static FakeHost* From(strata_layer_ctx* ctx) { return reinterpret_cast<FakeHost*>(ctx); }
  void Violation(const std::string& what) { violations_.push_back(what); }

  strata_host_services services_;
  std::map<std::string, std::string> options_;
  std::set<int> watched_;
  uint64_t wake_at_ = 0;
  std::vector<uint64_t> wake_history_;
  std::vector<std::string> logs_;
  strata_status error_status_ = STRATA_OK;
  std::string error_message_;
  std::vector<std::string> violations_;
};

}  // namespace strata::tcp::testing

#endif  // STRATA_PLUGINS_TCP_TESTING_FAKE_HOST_H_
