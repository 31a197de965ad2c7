// strata-soak — a long mixed-protocol run on strata's public C API.
//
//   strata-soak --target NAME=WEIGHT,URL[,h1|h2|h2-prior][,proxy=URL][,post] ...
//               [--requests N] [--parallel P] [--plugin-dir DIR] [--cacert FILE]
//               [--paths P1,P2,...] [--post-fraction F] [--pause P:MIN-MAX]...
//               [--warmup-fraction F] [--max-rss-growth PCT] [--sample-ms MS]
//               [--report-ms MS] [--no-malloc-trim] [--timeout-ms MS]
//               [--stall-s S] [--seed S] [--json FILE] [--no-trace]
//               [--log-recoveries]
//
// One runtime (so one connection pool, as an application has) runs N
// requests, P at a time. Each of the P lanes picks a target by weight, runs
// one request, checks it (status 200, HTTP version, the body byte for byte
// as it streams in) and then, at random, pauses (--pause; this is what lets
// pooled connections go idle, so that peers which close idle connections
// race the client's reuse). The loop waits on the runtime's descriptor and next
// timeout as an embedding application would (strata_runtime_fd,
// strata_runtime_timeout_ms).
//
// Counted from the public API only:
//   failures     transfers whose result was not STRATA_OK, or whose
//                response was wrong; by status name and layer, with the
//                first message of each kind
//   resends      the runtime's own recoveries, from its trace events
//                (STRATA_EVENT_TRACE, layer "runtime"): "the server did not
//                process the request ... sending it again" (GOAWAY above the
//                stream, REFUSED_STREAM) and "reused connection failed ...
//                retrying on a new connection" (a pooled connection the peer
//                closed just before it was used). The C API has no counter
//                for them; these are the lines the runtime emits for each.
//   connections  STRATA_EVENT_CONNECT events (one per connection made ready),
//                attributed to a target by the port of the chain's tcp(...)
//                (each target has its own first-hop port)
//   RSS          /proc/self/statm, sampled every --sample-ms (100 ms);
//                with it the heap the program holds (glibc's mallinfo2)
//
// RSS is sampled after malloc_trim(0), which hands the allocator's free
// pages back to the kernel (--no-malloc-trim: raw). Without it glibc keeps
// every page of its heap it ever touched, so RSS follows the high-water mark
// of what was in flight at once (64 lanes opening TLS connections together)
// and then creeps up as later allocations land on pages of that heap not
// touched before, with the heap in use flat: it measures the allocator, not
// what the runtime holds. Growth after warm-up compares the median RSS of
// the samples taken while the tenth of the run after --warmup-fraction was
// done with the median of the last tenth's: single samples move by a few
// per cent with what is in flight at that instant. The least-squares trend
// of RSS and heap per 10,000 requests after warm-up is printed as well; a
// leak shows as a steady slope of both. The exit status is 0 only with no
// failure and growth within --max-rss-growth percent (1: failures, 3: RSS
// growth, 4: stalled, 2: usage).
#include <malloc.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "strata/strata.h"
#include "tools/bench/strata_bench/proc_status.h"

namespace {

using Clock = std::chrono::steady_clock;

// RSS samples are taken after malloc_trim(0) unless --no-malloc-trim (see
// the comment at the top of the file).
bool g_trim = true;

struct Pause {
  double probability = 0;
  int64_t min_ms = 0, max_ms = 0;
};

struct Target {
  std::string name;
  int weight = 1;
  std::string base;  // scheme://host:port
  int64_t version = STRATA_HTTP_VERSION_DEFAULT;
  std::string proxy;
  bool post = false;
  int first_hop_port = 0;
  int32_t expect_version = 11;
  // Requests prepared once (strata_submit copies them): one per path, then
  // the POST.
  std::vector<strata_request*> requests;
  // Counters.
  long submitted = 0, ok = 0, failed = 0, resends = 0, retries = 0, connections = 0;
  int64_t info_connects = 0, body_bytes = 0;
  std::map<int32_t, long> versions;
};

struct Options {
  long requests = 100000;
  long parallel = 32;
  std::string plugin_dir;
  std::string cacert;
  std::vector<std::string> paths = {"/soak/512.bin", "/soak/4096.bin", "/soak/32768.bin"};
  double post_fraction = 0.1;
  std::vector<Pause> pauses;
  bool pauses_set = false;
  double warmup_fraction = 0.1;
  double max_rss_growth = 5.0;
  long report_ms = 1000;
  long sample_ms = 100;
  long timeout_ms = 30000;
  long stall_s = 120;
  uint64_t seed = 1;
  std::string json;
  bool trace = true;
  bool log_recoveries = false;
  std::vector<Target> targets;
};

struct FailureKind {
  long count = 0;
  std::string first_message;
  std::string first_target;
};

// The response body is checked as it streams in (a body writer), not
// collected: the client's memory then is the runtime's, not 64 lanes' worth
// of 32 KiB bodies whose peaks would set the RSS high-water mark.
struct BodyCheck {
  std::string_view want;
  size_t got = 0;
  bool mismatch = false;
};

strata_status CheckBody(void* user, const uint8_t* data, size_t len) {
  BodyCheck* c = static_cast<BodyCheck*>(user);
  if (c->got + len > c->want.size() || std::memcmp(c->want.data() + c->got, data, len) != 0) c->mismatch = true;
  c->got += len;
  return STRATA_OK;
}

struct Lane {
  enum State { kReady, kPaused, kRunning } state = kReady;
  BodyCheck body;
  Clock::time_point wake;
  size_t target = 0;
  int kind = 0;  // index in Target::requests
  strata_transfer* transfer = nullptr;
};

struct RssSample {
  double t_s;
  long done;
  long rss_kib;
  long heap_kib;
};

struct Soak {
  Options opt;
  strata_runtime* runtime = nullptr;
  std::vector<Lane> lanes;
  std::mt19937_64 rng;
  long submitted = 0, done = 0, ok = 0, failed = 0;
  long resends = 0, retries = 0, connections = 0, unattributed_connections = 0;
  std::map<std::string, FailureKind> failures;
  std::vector<RssSample> samples;
  std::vector<std::string> bodies;  // expected body per path index
  Clock::time_point start;
};

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "strata-soak: %s\n"
               "usage: strata-soak --target NAME=WEIGHT,URL[,h1|h2|h2-prior][,proxy=URL][,post] ...\n"
               "                   [--requests N] [--parallel P] [--plugin-dir DIR] [--cacert FILE]\n"
               "                   [--paths P1,P2,...] [--post-fraction F] [--pause PROB:MIN-MAX]...\n"
               "                   [--warmup-fraction F] [--max-rss-growth PCT] [--sample-ms MS]\n"
               "                   [--report-ms MS] [--no-malloc-trim] [--timeout-ms MS] [--stall-s S]\n"
               "                   [--seed S] [--json FILE] [--no-trace] [--log-recoveries]\n",
               why.c_str());
  std::exit(2);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

// PortOf returns the port of "scheme://host:port[/...]" (default 80/443).
int PortOf(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return 0;
  std::string rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('/'));
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
    return std::atoi(rest.c_str() + colon + 1);
  }
  return url.compare(0, 5, "https") == 0 ? 443 : 80;
}

Target ParseTarget(const std::string& spec) {
  Target t;
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) Usage("--target needs NAME=WEIGHT,URL[,...]: " + spec);
  t.name = spec.substr(0, eq);
  std::vector<std::string> parts = Split(spec.substr(eq + 1), ',');
  if (parts.size() < 2) Usage("--target needs NAME=WEIGHT,URL[,...]: " + spec);
  t.weight = std::atoi(parts[0].c_str());
  if (t.weight < 0) Usage("negative weight in " + spec);
  t.base = parts[1];
  while (!t.base.empty() && t.base.back() == '/') t.base.pop_back();
  for (size_t i = 2; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p == "h1") {
      t.version = STRATA_HTTP_VERSION_1_1;
    } else if (p == "h2") {
      t.version = STRATA_HTTP_VERSION_2;
    } else if (p == "h2-prior") {
      t.version = STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    } else if (p.rfind("proxy=", 0) == 0) {
      t.proxy = p.substr(6);
    } else if (p == "post") {
      t.post = true;
    } else {
      Usage("unknown target option '" + p + "' in " + spec);
    }
  }
  t.expect_version = t.version == STRATA_HTTP_VERSION_2 || t.version == STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE ? 20 : 11;
  t.first_hop_port = PortOf(t.proxy.empty() ? t.base : t.proxy);
  return t;
}

Pause ParsePause(const std::string& s) {
  // PROB:MIN-MAX, e.g. 0.25:0-300
  Pause p;
  size_t colon = s.find(':'), dash = s.find('-', colon == std::string::npos ? 0 : colon);
  if (colon == std::string::npos || dash == std::string::npos) Usage("--pause needs PROB:MIN-MAX (ms): " + s);
  p.probability = std::atof(s.substr(0, colon).c_str());
  p.min_ms = std::atol(s.substr(colon + 1, dash - colon - 1).c_str());
  p.max_ms = std::atol(s.substr(dash + 1).c_str());
  if (p.probability < 0 || p.probability > 1 || p.min_ms < 0 || p.max_ms < p.min_ms) Usage("bad --pause " + s);
  return p;
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage("missing value for " + a);
      return argv[++i];
    };
    if (a == "--requests" || a == "-n") {
      o.requests = std::atol(value().c_str());
    } else if (a == "--parallel" || a == "-c") {
      o.parallel = std::atol(value().c_str());
    } else if (a == "--plugin-dir") {
      o.plugin_dir = value();
    } else if (a == "--cacert") {
      o.cacert = value();
    } else if (a == "--target") {
      o.targets.push_back(ParseTarget(value()));
    } else if (a == "--paths") {
      o.paths = Split(value(), ',');
    } else if (a == "--post-fraction") {
      o.post_fraction = std::atof(value().c_str());
    } else if (a == "--pause") {
      if (!o.pauses_set) o.pauses.clear();
      o.pauses_set = true;
      std::string v = value();
      if (v != "none") o.pauses.push_back(ParsePause(v));
    } else if (a == "--warmup-fraction") {
      o.warmup_fraction = std::atof(value().c_str());
    } else if (a == "--max-rss-growth") {
      o.max_rss_growth = std::atof(value().c_str());
    } else if (a == "--sample-ms") {
      o.sample_ms = std::atol(value().c_str());
    } else if (a == "--report-ms") {
      o.report_ms = std::atol(value().c_str());
    } else if (a == "--timeout-ms") {
      o.timeout_ms = std::atol(value().c_str());
    } else if (a == "--stall-s") {
      o.stall_s = std::atol(value().c_str());
    } else if (a == "--seed") {
      o.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--json") {
      o.json = value();
    } else if (a == "--no-malloc-trim") {
      g_trim = false;
    } else if (a == "--log-recoveries") {
      o.log_recoveries = true;
    } else if (a == "--no-trace") {
      o.trace = false;
    } else {
      Usage("unknown argument " + a);
    }
  }
  if (!o.pauses_set) {
    // Most requests follow at once; a quarter after a short pause (pooled
    // connections sit idle for up to a third of a second), a few after a
    // long one (longer than the peers' keep-alive timeouts).
    o.pauses = {{0.25, 0, 300}, {0.02, 300, 2500}};
  }
  if (o.targets.empty()) Usage("no --target");
  if (o.requests < 1 || o.parallel < 1) Usage("--requests and --parallel must be positive");
  if (o.paths.empty() || o.paths[0].empty()) Usage("--paths is empty");
  if (o.sample_ms < 1 || o.report_ms < 1) Usage("--sample-ms and --report-ms must be positive");
  if (o.warmup_fraction < 0 || o.warmup_fraction >= 1) Usage("--warmup-fraction must be in [0, 1)");
  long weights = 0;
  for (const Target& t : o.targets) weights += t.weight;
  if (weights <= 0) Usage("all target weights are 0");
  if (o.parallel > o.requests) o.parallel = o.requests;
  return o;
}

// ExpectedBody: /soak/<N>.bin holds N bytes, byte i = 'a' + (i * 7 + N) % 26
// (tools/soak/soak.py writes the same files).
std::string ExpectedBody(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string file = path.substr(slash + 1);
  long n = std::atol(file.c_str());
  std::string body(static_cast<size_t>(std::max(0L, n)), 'a');
  for (long i = 0; i < n; ++i) body[static_cast<size_t>(i)] = static_cast<char>('a' + (i * 7 + n) % 26);
  return body;
}

constexpr char kPostBody[] = "strata soak post body\n";
constexpr char kPostAnswer[] = "posted\n";

// HeapKiB: bytes the program holds in malloc'd blocks (glibc's mallinfo2:
// in-use chunks plus mmapped ones). Growth of RSS with a flat heap is the
// allocator's fragmentation or caches; growth of the heap is memory still
// held, i.e. a leak or an unbounded cache.
long HeapKiB() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 m = mallinfo2();
  return static_cast<long>((m.uordblks + m.hblkhd) / 1024);
#else
  return 0;
#endif
}

using strata::tools::StatusKiB;

long RssKiB() {
#if defined(__GLIBC__)
  if (g_trim) malloc_trim(0);
#endif
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

size_t TargetByPort(const Soak& s, int port) {
  for (size_t i = 0; i < s.opt.targets.size(); ++i) {
    if (s.opt.targets[i].first_hop_port == port) return i;
  }
  return s.opt.targets.size();
}

size_t TargetByUrl(const Soak& s, const char* url) {
  // The longest base that prefixes the URL (bases are scheme://host:port).
  size_t best = s.opt.targets.size(), best_len = 0;
  for (size_t i = 0; i < s.opt.targets.size(); ++i) {
    const std::string& b = s.opt.targets[i].base;
    if (std::strncmp(url, b.c_str(), b.size()) == 0 && (url[b.size()] == '/' || url[b.size()] == '\0') &&
        b.size() > best_len) {
      best = i;
      best_len = b.size();
    }
  }
  return best;
}

void OnEvent(void* user, const strata_event* ev) {
  Soak* s = static_cast<Soak*>(user);
  if (ev->type == STRATA_EVENT_CONNECT) {
    s->connections++;
    // "tcp(127.0.0.1:8080) → ...": the first hop's port names the target.
    const char* tcp = std::strstr(ev->chain, "tcp(");
    const char* close = tcp ? std::strchr(tcp, ')') : nullptr;
    int port = 0;
    if (tcp && close) {
      std::string inner(tcp + 4, close);
      size_t colon = inner.rfind(':');
      if (colon != std::string::npos) port = std::atoi(inner.c_str() + colon + 1);
    }
    size_t t = TargetByPort(*s, port);
    if (t < s->opt.targets.size()) {
      s->opt.targets[t].connections++;
    } else {
      s->unattributed_connections++;
    }
    return;
  }
  if (ev->type != STRATA_EVENT_TRACE || std::strcmp(ev->layer, "runtime") != 0) return;
  // The two recoveries of Runtime::OnHopFailed (runtime/client/runtime.cc).
  bool resend = std::strncmp(ev->message, "the server did not process the request", 38) == 0;
  bool retry = std::strncmp(ev->message, "reused connection failed", 24) == 0;
  if (!resend && !retry) return;
  if (s->opt.log_recoveries) {
    std::fprintf(stderr, "strata-soak: [%.3fs] %s: %s\n", Seconds(s->start), ev->url, ev->message);
  }
  size_t t = TargetByUrl(*s, ev->url);
  if (resend) {
    s->resends++;
    if (t < s->opt.targets.size()) s->opt.targets[t].resends++;
  } else {
    s->retries++;
    if (t < s->opt.targets.size()) s->opt.targets[t].retries++;
  }
}

void Fail(Soak& s, Target& t, const std::string& key, const std::string& message) {
  s.failed++;
  t.failed++;
  FailureKind& f = s.failures[key];
  if (f.count++ == 0 || s.opt.log_recoveries) {
    f.first_message = message;
    f.first_target = t.name;
    // The first of each kind at once, so a long run shows it as it happens.
    std::fprintf(stderr, "strata-soak: FAILURE [%s] on %s at %.1fs: %s\n", key.c_str(), t.name.c_str(),
                 Seconds(s.start), message.c_str());
  }
}

void Finish(Soak& s, Lane& lane) {
  Target& t = s.opt.targets[lane.target];
  strata_transfer* tr = lane.transfer;
  lane.transfer = nullptr;
  strata_error err{};
  err.struct_size = sizeof(err);
  strata_status st = strata_transfer_result(tr, &err);
  if (st != STRATA_OK) {
    std::string key = std::string(strata_status_name(st)) + " [" + err.layer + "]";
    Fail(s, t, key, err.message);
  } else {
    strata_response* r = strata_transfer_take_response(tr);
    int32_t status = strata_response_status(r);
    int32_t version = strata_response_http_version(r);
    int64_t connects = 0, size = 0;
    strata_response_info(r, STRATA_INFO_NUM_CONNECTS, &connects);
    strata_response_info(r, STRATA_INFO_SIZE_DOWNLOAD, &size);
    t.info_connects += connects;
    t.versions[version]++;
    const BodyCheck& body = lane.body;
    t.body_bytes += static_cast<int64_t>(body.got);
    bool is_post = lane.kind == static_cast<int>(s.opt.paths.size());
    const std::string what = (is_post ? std::string("POST /post") : "GET " + s.opt.paths[static_cast<size_t>(lane.kind)]);
    if (status != 200) {
      Fail(s, t, "HTTP status " + std::to_string(status), what + " answered " + std::to_string(status));
    } else if (body.mismatch || body.got != body.want.size() || size != static_cast<int64_t>(body.got)) {
      Fail(s, t, "wrong body",
           what + ": " + std::to_string(body.got) + " bytes (size_download " + std::to_string(size) + "), expected " +
               std::to_string(body.want.size()) + (body.mismatch ? ", other bytes" : ""));
    } else if (version != t.expect_version) {
      Fail(s, t, "HTTP version " + std::to_string(version),
           what + " came over HTTP version " + std::to_string(version) + ", expected " +
               std::to_string(t.expect_version));
    } else {
      s.ok++;
      t.ok++;
    }
    strata_response_free(r);
  }
  strata_transfer_free(tr);
  s.done++;
}

bool Submit(Soak& s, Lane& lane, size_t lane_index, long total_weight) {
  long pick = static_cast<long>(s.rng() % static_cast<uint64_t>(total_weight));
  size_t ti = 0;
  for (; ti < s.opt.targets.size(); ++ti) {
    pick -= s.opt.targets[ti].weight;
    if (pick < 0) break;
  }
  Target& t = s.opt.targets[ti];
  std::uniform_real_distribution<double> unit(0, 1);
  int kind;
  if (t.post && unit(s.rng) < s.opt.post_fraction) {
    kind = static_cast<int>(s.opt.paths.size());
  } else {
    kind = static_cast<int>(s.rng() % s.opt.paths.size());
  }
  // strata_submit copies the request, writer and all: the prepared request
  // gets this lane's checker just before.
  lane.body = BodyCheck{};
  lane.body.want = kind == static_cast<int>(s.opt.paths.size())
                       ? std::string_view(kPostAnswer)
                       : std::string_view(s.bodies[static_cast<size_t>(kind)]);
  strata_request* req = t.requests[static_cast<size_t>(kind)];
  strata_request_set_body_writer(req, &CheckBody, &lane.body);
  strata_transfer* tr = nullptr;
  strata_status st = strata_submit(s.runtime, req, reinterpret_cast<void*>(lane_index), &tr);
  if (st != STRATA_OK) {
    std::fprintf(stderr, "strata-soak: strata_submit: %s\n", strata_status_name(st));
    return false;
  }
  lane.state = Lane::kRunning;
  lane.target = ti;
  lane.kind = kind;
  lane.transfer = tr;
  t.submitted++;
  s.submitted++;
  return true;
}

void AfterDone(Soak& s, Lane& lane) {
  std::uniform_real_distribution<double> unit(0, 1);
  double r = unit(s.rng);
  for (const Pause& p : s.opt.pauses) {
    if (r < p.probability) {
      std::uniform_int_distribution<int64_t> ms(p.min_ms, p.max_ms);
      lane.state = Lane::kPaused;
      lane.wake = Clock::now() + std::chrono::milliseconds(ms(s.rng));
      return;
    }
    r -= p.probability;
  }
  lane.state = Lane::kReady;
}

void Report(Soak& s, long rss_kib, long heap_kib) {
  long running = 0;
  for (const Lane& l : s.lanes) running += l.state == Lane::kRunning;
  std::printf("[%7.1fs] done %7ld/%ld  ok %7ld  failed %ld  resent %ld  retried %ld  connections %ld  in flight %ld  "
              "rss %.2f MiB (anon %.2f)  heap %.2f MiB\n",
              Seconds(s.start), s.done, s.opt.requests, s.ok, s.failed, s.resends, s.retries, s.connections, running,
              rss_kib / 1024.0, StatusKiB("RssAnon:") / 1024.0, heap_kib / 1024.0);
  std::fflush(stdout);
}

double Slope(const std::vector<RssSample>& samples, long RssSample::*field) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const RssSample& r : samples) {
    const double x = static_cast<double>(r.done), y = static_cast<double>(r.*field);
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double d = n * sxx - sx * sx;
  return n >= 2 && d != 0 ? (n * sxy - sx * sy) / d * 10000.0 : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  Soak s;
  s.opt = Parse(argc, argv);
  s.rng.seed(s.opt.seed);
  for (const std::string& p : s.opt.paths) s.bodies.push_back(ExpectedBody(p));

  std::string config = "{\"proxy\": {\"from_env\": false}";
  if (!s.opt.plugin_dir.empty()) config += ", \"plugin_dirs\": [\"" + JsonEscape(s.opt.plugin_dir) + "\"]";
  config += "}";
  strata_error err{};
  err.struct_size = sizeof(err);
  if (strata_runtime_new(config.c_str(), &s.runtime, &err) != STRATA_OK) {
    std::fprintf(stderr, "strata-soak: %s\n", err.message);
    return 2;
  }
  uint32_t mask = 1u << STRATA_EVENT_CONNECT;
  if (s.opt.trace) mask |= 1u << STRATA_EVENT_TRACE;
  strata_runtime_set_event_callback(s.runtime, &OnEvent, &s, mask);

  long total_weight = 0;
  for (Target& t : s.opt.targets) {
    total_weight += t.weight;
    std::vector<std::pair<std::string, std::string>> kinds;
    for (const std::string& p : s.opt.paths) kinds.emplace_back("GET", p);
    kinds.emplace_back("POST", "/post");
    for (const auto& [method, path] : kinds) {
      strata_request* req = nullptr;
      std::string url = t.base + path;
      if (strata_request_new(method.c_str(), url.c_str(), &req) != STRATA_OK) Usage("bad URL " + url);
      if (method == "POST") strata_request_set_body(req, kPostBody, sizeof(kPostBody) - 1);
      strata_request_set_option_int(req, STRATA_OPT_HTTP_VERSION, t.version);
      strata_request_set_option_int(req, STRATA_OPT_TIMEOUT_MS, s.opt.timeout_ms);
      if (!t.proxy.empty()) strata_request_set_option_string(req, STRATA_OPT_PROXY, t.proxy.c_str());
      if (!s.opt.cacert.empty() && url.rfind("https:", 0) == 0) {
        std::string json = "{\"tls\": {\"ca_file\": \"" + JsonEscape(s.opt.cacert) + "\"}}";
        if (strata_request_set_option_string(req, STRATA_OPT_LAYER_OPTIONS, json.c_str()) != STRATA_OK) {
          Usage("bad --cacert");
        }
      }
      t.requests.push_back(req);
    }
  }

  std::printf("strata-soak: %ld requests, %ld in parallel, seed %llu, strata %s\n", s.opt.requests, s.opt.parallel,
              static_cast<unsigned long long>(s.opt.seed), strata_version());
  for (const Target& t : s.opt.targets) {
    std::printf("  target %-12s weight %d  %s%s%s%s\n", t.name.c_str(), t.weight, t.base.c_str(),
                t.version == STRATA_HTTP_VERSION_2 ? " (HTTP/2)"
                : t.version == STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE ? " (HTTP/2 prior knowledge)"
                : t.version == STRATA_HTTP_VERSION_1_1 ? " (HTTP/1.1)" : "",
                t.proxy.empty() ? "" : (" via " + t.proxy).c_str(), t.post ? ", with POSTs" : "");
  }
  std::printf("  pauses after a request:");
  for (const Pause& p : s.opt.pauses) std::printf(" p=%.3f %lld-%lld ms;", p.probability, (long long)p.min_ms, (long long)p.max_ms);
  std::printf("%s\n", s.opt.trace ? "" : "  (--no-trace: resends not counted)");
  std::fflush(stdout);

  s.lanes.resize(static_cast<size_t>(s.opt.parallel));
  const long warmup_at = static_cast<long>(s.opt.requests * s.opt.warmup_fraction);
  const long rss_start = RssKiB();
  s.start = Clock::now();
  Clock::time_point next_report = s.start + std::chrono::milliseconds(s.opt.report_ms);
  Clock::time_point next_sample = s.start;
  Clock::time_point last_progress = s.start;
  long last_done = 0;
  bool warm = false;
  int exit_code = 0;
  std::vector<pollfd> fds(1);
  const int fd = strata_runtime_fd(s.runtime);

  while (s.done < s.opt.requests) {
    Clock::time_point now = Clock::now();
    Clock::time_point next_wake = now + std::chrono::seconds(1);
    for (size_t i = 0; i < s.lanes.size(); ++i) {
      Lane& lane = s.lanes[i];
      if (lane.state == Lane::kPaused && now >= lane.wake) lane.state = Lane::kReady;
      if (lane.state == Lane::kReady && s.submitted < s.opt.requests) {
        if (!Submit(s, lane, i, total_weight)) return 1;
      }
      if (lane.state == Lane::kPaused) next_wake = std::min(next_wake, lane.wake);
    }
    next_wake = std::min({next_wake, next_report, next_sample});
    int64_t wait = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(next_wake - now).count());
    int64_t due = strata_runtime_timeout_ms(s.runtime);
    if (due >= 0) wait = std::min(wait, due);
    fds[0] = {fd, POLLIN, 0};
    poll(fds.data(), 1, static_cast<int>(wait));
    size_t running = 0;
    strata_runtime_run(s.runtime, 0, &running);
    while (strata_transfer* tr = strata_runtime_next_done(s.runtime)) {
      size_t li = reinterpret_cast<size_t>(strata_transfer_user(tr));
      Lane& lane = s.lanes[li];
      Finish(s, lane);
      AfterDone(s, lane);
    }
    now = Clock::now();
    if (s.done != last_done) {
      last_done = s.done;
      last_progress = now;
    } else if (now - last_progress > std::chrono::seconds(s.opt.stall_s)) {
      std::fprintf(stderr, "strata-soak: no request finished for %ld s (%ld done, %zu running): stalled\n",
                   s.opt.stall_s, s.done, running);
      exit_code = 4;
      break;
    }
    if (now >= next_sample) {
      s.samples.push_back({Seconds(s.start), s.done, RssKiB(), HeapKiB()});
      if (!warm && s.done >= warmup_at) {
        warm = true;
        std::printf("[%7.1fs] warm-up done after %ld requests: rss %.2f MiB, heap %.2f MiB\n", s.samples.back().t_s,
                    s.done, s.samples.back().rss_kib / 1024.0, s.samples.back().heap_kib / 1024.0);
      }
      while (next_sample <= now) next_sample += std::chrono::milliseconds(s.opt.sample_ms);
    }
    if (now >= next_report) {
      Report(s, s.samples.empty() ? RssKiB() : s.samples.back().rss_kib,
             s.samples.empty() ? HeapKiB() : s.samples.back().heap_kib);
      while (next_report <= now) next_report += std::chrono::milliseconds(s.opt.report_ms);
    }
  }
  const double elapsed = Seconds(s.start);
  const long rss_end = RssKiB(), heap_end = HeapKiB();
  Report(s, rss_end, heap_end);

  // RSS after warm-up: the median of the samples taken while the first
  // tenth of the run after warm-up was done, against the median of those of
  // the last tenth. Medians of windows, not two single samples: what is in
  // flight at one instant (connections being set up, TLS buffers, pooled
  // connections) moves RSS by a few per cent either way.
  const long window = std::max<long>(1, s.opt.requests / 10);
  auto median = [&](long from, long to, long RssSample::*field) -> long {
    std::vector<long> v;
    for (const RssSample& r : s.samples) {
      if (r.done >= from && r.done < to) v.push_back(r.*field);
    }
    if (v.empty()) return -1;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  long rss_warm = median(warmup_at, warmup_at + window, &RssSample::rss_kib);
  long rss_late = median(s.opt.requests - window, s.opt.requests, &RssSample::rss_kib);
  long heap_warm = median(warmup_at, warmup_at + window, &RssSample::heap_kib);
  long heap_late = median(s.opt.requests - window, s.opt.requests, &RssSample::heap_kib);
  if (rss_warm < 0 || rss_late < 0) {  // a run too short for samples in both windows
    rss_warm = rss_late = rss_end;
    heap_warm = heap_late = heap_end;
  }
  long rss_peak_after_warm = rss_end;
  std::vector<RssSample> after_warm;
  for (const RssSample& r : s.samples) {
    if (r.done < warmup_at) continue;
    rss_peak_after_warm = std::max(rss_peak_after_warm, r.rss_kib);
    after_warm.push_back(r);
  }
  const double growth = rss_warm > 0 ? 100.0 * (rss_late - rss_warm) / rss_warm : 0.0;
  const double peak_growth = rss_warm > 0 ? 100.0 * (rss_peak_after_warm - rss_warm) / rss_warm : 0.0;
  // Least-squares slopes of RSS and heap over requests done after warm-up,
  // per 10,000 requests: a leak shows as a steady slope, noise does not.
  const double slope = Slope(after_warm, &RssSample::rss_kib);
  const double heap_slope = Slope(after_warm, &RssSample::heap_kib);

  std::printf("\nsummary: %ld requests in %.1fs (%.0f req/s), %ld ok, %ld failed\n", s.done, elapsed,
              s.done / std::max(elapsed, 1e-9), s.ok, s.failed);
  std::printf("recoveries: %ld resent (server did not process: GOAWAY / REFUSED_STREAM), %ld retried (reused "
              "connection closed by the peer)%s\n",
              s.resends, s.retries, s.opt.trace ? "" : " [not counted: --no-trace]");
  std::printf("connections: %ld made%s\n", s.connections,
              s.unattributed_connections ? (" (" + std::to_string(s.unattributed_connections) + " not attributed)").c_str()
                                         : "");
  std::printf("  %-12s %8s %8s %6s %7s %7s %7s %9s  %s\n", "target", "requests", "ok", "failed", "resent", "retried",
              "conns", "req/conn", "versions");
  for (const Target& t : s.opt.targets) {
    std::string versions;
    for (const auto& [v, n] : t.versions) versions += (versions.empty() ? "" : " ") + std::to_string(v) + ":" + std::to_string(n);
    std::printf("  %-12s %8ld %8ld %6ld %7ld %7ld %7ld %9.1f  %s\n", t.name.c_str(), t.submitted, t.ok, t.failed,
                t.resends, t.retries, t.connections, t.connections ? static_cast<double>(t.ok) / t.connections : 0.0,
                versions.c_str());
  }
  std::printf("rss%s: %.2f MiB at start; median %.2f MiB over requests %ld-%ld (after warm-up), %.2f MiB over the "
              "last %ld; %.2f MiB at the end, peak %.2f MiB after warm-up\n",
              g_trim ? " (sampled after malloc_trim)" : " (no malloc_trim)", rss_start / 1024.0, rss_warm / 1024.0,
              warmup_at, warmup_at + window, rss_late / 1024.0, window, rss_end / 1024.0,
              rss_peak_after_warm / 1024.0);
  std::printf("rss growth after warm-up: %+.2f%% (limit %.1f%%), %+.2f%% at the peak, trend %+.1f KiB per 10,000 "
              "requests\n",
              growth, s.opt.max_rss_growth, peak_growth, slope);
  std::printf("heap (malloc'd, mallinfo2): median %.2f MiB after warm-up, %.2f MiB over the last %ld, trend %+.1f "
              "KiB per 10,000 requests\n",
              heap_warm / 1024.0, heap_late / 1024.0, window, heap_slope);
#if defined(__SANITIZE_ADDRESS__)
  const bool rss_gate = false;
  std::printf("rss gate off: AddressSanitizer's allocator (quarantine, shadow memory) says nothing about leaks here\n");
#else
  const bool rss_gate = s.opt.max_rss_growth >= 0;
#endif
  if (!s.failures.empty()) {
    std::printf("failures by kind:\n");
    for (const auto& [key, f] : s.failures) {
      std::printf("  %6ld  %s (first on %s: %s)\n", f.count, key.c_str(), f.first_target.c_str(),
                  f.first_message.c_str());
    }
  }
  if (exit_code == 0 && s.failed > 0) exit_code = 1;
  if (exit_code == 0 && rss_gate && growth > s.opt.max_rss_growth) exit_code = 3;
  std::printf("result: %s\n", exit_code == 0   ? "PASS"
                              : exit_code == 1 ? "FAIL (failures)"
                              : exit_code == 3 ? "FAIL (rss growth)"
                                               : "FAIL (stalled)");

  if (!s.opt.json.empty()) {
    std::ostringstream j;
    j << "{\"requests\": " << s.done << ", \"ok\": " << s.ok << ", \"failed\": " << s.failed
      << ", \"resends\": " << s.resends << ", \"retries\": " << s.retries << ", \"connections\": " << s.connections
      << ", \"elapsed_s\": " << elapsed << ", \"malloc_trim\": " << (g_trim ? "true" : "false")
      << ", \"rss_start_kib\": " << rss_start << ", \"rss_warm_kib\": " << rss_warm
      << ", \"rss_late_kib\": " << rss_late << ", \"rss_end_kib\": " << rss_end
      << ", \"rss_peak_after_warm_kib\": " << rss_peak_after_warm
      << ", \"rss_growth_pct\": " << growth << ", \"rss_trend_kib_per_10k\": " << slope
      << ", \"heap_warm_kib\": " << heap_warm << ", \"heap_late_kib\": " << heap_late
      << ", \"heap_trend_kib_per_10k\": " << heap_slope
      << ", \"exit_code\": " << exit_code << ", \"targets\": {";
    bool first = true;
    for (const Target& t : s.opt.targets) {
      j << (first ? "" : ", ") << "\"" << JsonEscape(t.name) << "\": {\"requests\": " << t.submitted
        << ", \"ok\": " << t.ok << ", \"failed\": " << t.failed << ", \"resends\": " << t.resends
        << ", \"retries\": " << t.retries << ", \"connections\": " << t.connections
        << ", \"info_connects\": " << t.info_connects << "}";
      first = false;
    }
    j << "}, \"failures\": {";
    first = true;
    for (const auto& [key, f] : s.failures) {
      j << (first ? "" : ", ") << "\"" << JsonEscape(key) << "\": {\"count\": " << f.count << ", \"first\": \""
        << JsonEscape(f.first_target + ": " + f.first_message) << "\"}";
      first = false;
    }
    j << "}}\n";
    std::ofstream(s.opt.json) << j.str();
  }

  for (Lane& l : s.lanes) strata_transfer_free(l.transfer);
  for (Target& t : s.opt.targets) {
    for (strata_request* r : t.requests) strata_request_free(r);
  }
  strata_runtime_free(s.runtime);
  return exit_code;
}
