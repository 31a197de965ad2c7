// strata-bench — an h2load-like load client on strata's public C API.
//
//   strata-bench -n REQUESTS -c CLIENTS -m MAX_STREAMS [--h1 | --h2 | --h2-prior]
//                [--cacert FILE] [-k] [--config FILE] URL
//
// Each client is its own runtime (so its own connection pool): with HTTP/2 a
// client's requests share one connection, up to -m streams at once; with
// HTTP/1.1 up to -m connections. All clients run on one thread, driven
// through their descriptors (strata_runtime_fd / strata_runtime_timeout_ms),
// which is how an application embeds strata in its own loop; a single
// client is simply run with a timeout (strata_runtime_run waits in its own
// epoll), which spares a poll() per wake-up. The output
// follows h2load's so the two can be compared line by line.
#include <poll.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "strata/strata.h"
#include "tools/bench/strata_bench/alloc_counter.h"
#include "tools/bench/strata_bench/proc_status.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  long requests = 1;
  long clients = 1;
  long max_streams = 1;
  int64_t http_version = STRATA_HTTP_VERSION_DEFAULT;
  std::string ca_file;
  bool insecure = false;
  std::string config_file;
  std::string url;
};

struct Stats {
  long started = 0, done = 0, succeeded = 0, failed = 0;
  long status_class[6] = {0, 0, 0, 0, 0, 0};
  int64_t body_bytes = 0;
  std::vector<double> latencies_us;
  std::string first_error;
};

struct Slot {
  Clock::time_point started;
};

struct Client {
  strata_runtime* runtime = nullptr;
  long in_flight = 0;
};

using strata::tools::StatusKiB;

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "strata-bench: %s\n"
               "usage: strata-bench -n REQUESTS -c CLIENTS -m MAX_STREAMS [--h1|--h2|--h2-prior|--h3]\n"
               "                    [--cacert FILE] [-k] [--config FILE] URL\n",
               why);
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "-n") {
      o.requests = std::atol(value().c_str());
    } else if (a == "-c") {
      o.clients = std::atol(value().c_str());
    } else if (a == "-m") {
      o.max_streams = std::atol(value().c_str());
    } else if (a == "--h1") {
      o.http_version = STRATA_HTTP_VERSION_1_1;
    } else if (a == "--h2") {
      o.http_version = STRATA_HTTP_VERSION_2;
    } else if (a == "--h2-prior") {
      o.http_version = STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    } else if (a == "--h3") {
      o.http_version = STRATA_HTTP_VERSION_3_ONLY;
    } else if (a == "--cacert") {
      o.ca_file = value();
    } else if (a == "-k") {
      o.insecure = true;
    } else if (a == "--config") {
      o.config_file = value();
    } else if (!a.empty() && a[0] == '-') {
      Usage(("unknown option " + a).c_str());
    } else {
      o.url = a;
    }
  }
  if (o.url.empty()) Usage("no URL");
  if (o.requests < 1 || o.clients < 1 || o.max_streams < 1) Usage("-n, -c and -m must be positive");
  if (o.clients > o.requests) o.clients = o.requests;
  return o;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

strata_status CountBody(void* user, const uint8_t*, size_t len) {
  *static_cast<int64_t*>(user) += static_cast<int64_t>(len);
  return STRATA_OK;
}

std::string Human(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  int u = 0;
  while (bytes >= 1024 && u < 3) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f%s", bytes, units[u]);
  return buf;
}

std::string Duration(double us) {
  char buf[64];
  if (us >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.2fs", us / 1e6);
  } else if (us >= 1e3) {
    std::snprintf(buf, sizeof(buf), "%.2fms", us / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0fus", us);
  }
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = Parse(argc, argv);
  std::string config = opt.config_file.empty() ? "" : ReadFile(opt.config_file);

  strata_request* request = nullptr;
  if (strata_request_new("GET", opt.url.c_str(), &request) != STRATA_OK) Usage("bad URL");
  int64_t body_bytes = 0;
  strata_request_set_body_writer(request, &CountBody, &body_bytes);
  strata_request_set_option_int(request, STRATA_OPT_HTTP_VERSION, opt.http_version);
  std::string tls;
  if (!opt.ca_file.empty()) tls += "\"ca_file\": \"" + opt.ca_file + "\"";
  if (opt.insecure) tls += std::string(tls.empty() ? "" : ", ") + "\"verify\": false";
  if (!tls.empty()) {
    // HTTP/3's TLS is the h3 layer's own (QUIC): it takes the same options.
    std::string json = opt.http_version == STRATA_HTTP_VERSION_3_ONLY ? "{\"h3\": {" + tls + "}}"
                                                                      : "{\"tls\": {" + tls + "}}";
    if (strata_request_set_option_string(request, STRATA_OPT_LAYER_OPTIONS, json.c_str()) != STRATA_OK) {
      Usage("bad TLS options");
    }
  }

  std::vector<Client> clients(static_cast<size_t>(opt.clients));
  for (Client& c : clients) {
    strata_error err{};
    err.struct_size = sizeof(err);
    if (strata_runtime_new(config.c_str(), &c.runtime, &err) != STRATA_OK) {
      std::fprintf(stderr, "strata-bench: %s\n", err.message);
      return 1;
    }
  }

  std::printf("starting benchmark...\n");
  Stats stats;
  stats.latencies_us.reserve(static_cast<size_t>(opt.requests));
  long remaining = opt.requests;
  // Each client gets an equal share, like h2load's -n / -c.
  std::vector<long> quota(clients.size(), opt.requests / opt.clients);
  for (long i = 0; i < opt.requests % opt.clients; ++i) quota[static_cast<size_t>(i)]++;
  std::vector<Slot> slots(static_cast<size_t>(opt.requests));
  const long rss_before_kib = StatusKiB("VmRSS:");
  long in_flight_peak = 0;
  const uint64_t allocations_before = strata::bench::Allocations();
  rusage ru_start;
  getrusage(RUSAGE_SELF, &ru_start);
  Clock::time_point start = Clock::now();

  auto submit_more = [&](size_t ci) {
    Client& c = clients[ci];
    while (quota[ci] > 0 && c.in_flight < opt.max_streams) {
      strata_transfer* t = nullptr;
      long index = stats.started;
      if (strata_submit(c.runtime, request, reinterpret_cast<void*>(index), &t) != STRATA_OK) break;
      slots[static_cast<size_t>(index)].started = Clock::now();
      quota[ci]--;
      c.in_flight++;
      stats.started++;
    }
  };
  auto note_in_flight = [&] {
    long total = 0;
    for (const Client& c : clients) total += c.in_flight;
    in_flight_peak = std::max(in_flight_peak, total);
  };
  for (size_t ci = 0; ci < clients.size(); ++ci) submit_more(ci);
  note_in_flight();

  std::vector<pollfd> fds(clients.size());
  std::vector<int64_t> due(clients.size());
  while (remaining > 0) {
    int64_t wait = -1;
    for (size_t ci = 0; ci < clients.size(); ++ci) {
      fds[ci] = {strata_runtime_fd(clients[ci].runtime), POLLIN, 0};
      due[ci] = strata_runtime_timeout_ms(clients[ci].runtime);
      if (due[ci] >= 0 && (wait < 0 || due[ci] < wait)) wait = due[ci];
    }
    const int wait_ms = static_cast<int>(std::min<int64_t>(wait < 0 ? 1000 : wait, 1000));
    if (clients.size() > 1) poll(fds.data(), fds.size(), wait_ms);
    for (size_t ci = 0; ci < clients.size(); ++ci) {
      Client& c = clients[ci];
      // As an embedding application would: run only a runtime whose
      // descriptor is readable or whose timer is due.
      if (clients.size() > 1 && fds[ci].revents == 0 && due[ci] != 0) continue;
      size_t running = 0;
      strata_runtime_run(c.runtime, clients.size() > 1 ? 0 : wait_ms, &running);
      while (strata_transfer* t = strata_runtime_next_done(c.runtime)) {
        long index = reinterpret_cast<long>(strata_transfer_user(t));
        double us = std::chrono::duration<double, std::micro>(Clock::now() - slots[static_cast<size_t>(index)].started).count();
        stats.latencies_us.push_back(us);
        // The error struct (2 KiB) is filled only for a failure, as a
        // program that cares about speed would do.
        strata_status st = strata_transfer_result(t, nullptr);
        if (st == STRATA_OK) {
          strata_response* r = strata_transfer_take_response(t);
          int status = strata_response_status(r);
          stats.status_class[std::min(5, std::max(0, status / 100))]++;
          stats.succeeded += status < 400;
          stats.failed += status >= 400;
          strata_response_free(r);
        } else {
          stats.failed++;
          strata_error err{};
          err.struct_size = sizeof(err);
          strata_transfer_result(t, &err);
          if (stats.first_error.empty()) stats.first_error = err.message;
        }
        strata_transfer_free(t);
        stats.done++;
        c.in_flight--;
        remaining--;
      }
      submit_more(ci);
    }
    note_in_flight();
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const uint64_t allocations = strata::bench::Allocations() - allocations_before;
  const long rss_peak_kib = StatusKiB("VmHWM:");
  rusage ru_end;
  getrusage(RUSAGE_SELF, &ru_end);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  double cpu = secs(ru_end.ru_utime) - secs(ru_start.ru_utime) + secs(ru_end.ru_stime) - secs(ru_start.ru_stime);

  std::printf("\nfinished in %.2fs, %.2f req/s, %s/s\n", elapsed, stats.done / elapsed,
              Human(body_bytes / elapsed).c_str());
  std::printf("requests: %ld total, %ld started, %ld done, %ld succeeded, %ld failed, 0 errored, 0 timeout\n",
              opt.requests, stats.started, stats.done, stats.succeeded, stats.failed);
  std::printf("status codes: %ld 2xx, %ld 3xx, %ld 4xx, %ld 5xx\n", stats.status_class[2], stats.status_class[3],
              stats.status_class[4], stats.status_class[5]);
  std::printf("traffic: %s (%lld) total, %s (%lld) data\n", Human(static_cast<double>(body_bytes)).c_str(),
              static_cast<long long>(body_bytes), Human(static_cast<double>(body_bytes)).c_str(),
              static_cast<long long>(body_bytes));
  std::vector<double>& l = stats.latencies_us;
  double sum = 0, sq = 0;
  for (double v : l) sum += v;
  double mean = l.empty() ? 0 : sum / l.size();
  for (double v : l) sq += (v - mean) * (v - mean);
  double sd = l.size() > 1 ? std::sqrt(sq / (l.size() - 1)) : 0;
  long within = 0;
  for (double v : l) within += std::fabs(v - mean) <= sd;
  // Percentiles by selection, not a sort of every latency: the whole
  // process's CPU is what compare.py counts (h2load's too), and sorting
  // 100,000 latencies took about 1% of a run.
  auto pct = [&](double p) {
    if (l.empty()) return 0.0;
    auto nth = l.begin() + static_cast<std::ptrdiff_t>(std::min(l.size() - 1, static_cast<size_t>(p * l.size())));
    std::nth_element(l.begin(), nth, l.end());
    return *nth;
  };
  std::printf("                     min         max         mean         sd        +/- sd\n");
  const double min = l.empty() ? 0 : *std::min_element(l.begin(), l.end());
  const double max = l.empty() ? 0 : *std::max_element(l.begin(), l.end());
  std::printf("time for request: %9s  %10s  %10s  %10s  %8.2f%%\n", Duration(min).c_str(), Duration(max).c_str(),
              Duration(mean).c_str(), Duration(sd).c_str(),
              l.empty() ? 0.0 : 100.0 * within / l.size());
  std::printf("latency percentiles: p50 %s  p90 %s  p99 %s\n", Duration(pct(0.50)).c_str(), Duration(pct(0.90)).c_str(),
              Duration(pct(0.99)).c_str());
  std::printf("cpu: %.3fs (%.1f us/request)\n", cpu, cpu * 1e6 / std::max<long>(1, stats.done));
  if (strata::bench::AllocationsCounted()) {
    std::printf("allocations: %llu during the run, %.1f per request\n", static_cast<unsigned long long>(allocations),
                static_cast<double>(allocations) / std::max<long>(1, stats.done));
  }
  // Peak RSS over what the process held before the first request, per
  // transfer that was in flight at the peak (requests submitted and not yet
  // finished: with -c N -m M up to N*M streams open at once).
  std::printf("memory: peak RSS %.1f MiB (%.1f MiB before the run), %ld transfers in flight at most, %.0f bytes per "
              "open stream\n",
              rss_peak_kib / 1024.0, rss_before_kib / 1024.0, in_flight_peak,
              in_flight_peak > 0 ? (rss_peak_kib - rss_before_kib) * 1024.0 / in_flight_peak : 0.0);
  if (!stats.first_error.empty()) std::printf("first error: %s\n", stats.first_error.c_str());

  strata_request_free(request);
  for (Client& c : clients) strata_runtime_free(c.runtime);
  return stats.failed ? 1 : 0;
}
