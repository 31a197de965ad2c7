#include "runtime/altsvc/alt_svc_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace strata {
namespace {

// The ALPN ids curl's alt-svc code knows; anything else is not kept.
bool KnownAlpn(absl::string_view id) { return id == "h1" || id == "h2" || id == "h3"; }

std::string LowerAlpn(absl::string_view id) { return absl::AsciiStrToLower(id); }

// FormatExpiry: "YYYYMMDD HH:MM:SS" in UTC.
std::string FormatExpiry(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  if (gmtime_r(&tt, &tm) == nullptr) return "19700101 00:00:00";
  return absl::StrFormat("%04d%02d%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                         tm.tm_min, tm.tm_sec);
}

bool ParseExpiry(absl::string_view s, int64_t* out) {
  // Exactly "YYYYMMDD HH:MM:SS".
  if (s.size() != 17 || s[8] != ' ' || s[11] != ':' || s[14] != ':') return false;
  auto num = [&](size_t at, size_t len, int* v) {
    for (size_t i = at; i < at + len; ++i) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return absl::SimpleAtoi(s.substr(at, len), v);
  };
  int y, mo, d, h, mi, se;
  if (!num(0, 4, &y) || !num(4, 2, &mo) || !num(6, 2, &d) || !num(9, 2, &h) || !num(12, 2, &mi) ||
      !num(15, 2, &se)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  struct tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  *out = static_cast<int64_t>(timegm(&tm));
  return true;
}

bool ParsePort(absl::string_view s, uint16_t* port) {
  uint32_t n = 0;
  if (s.empty() || s.size() > 5 || !absl::SimpleAtoi(s, &n) || n == 0 || n > 65535) return false;
  *port = static_cast<uint16_t>(n);
  return true;
}

bool ValidHost(absl::string_view h) {
  if (h.empty() || h.size() > kAltSvcMaxHostBytes + 2) return false;
  for (char c : h) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' ||
          c == '[' || c == ']')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string NormalizeAltSvcHost(absl::string_view host) {
  std::string h = absl::AsciiStrToLower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h.find(':') != std::string::npos && h.front() != '[') h = absl::StrCat("[", h, "]");
  return h;
}

void AltSvcCache::Flush(absl::string_view src_alpn, absl::string_view host, uint16_t port) {
  auto gone = std::remove_if(entries_.begin(), entries_.end(), [&](const AltSvcEntry& e) {
    return e.src_alpn == src_alpn && e.src_port == port && e.src_host == host;
  });
  if (gone != entries_.end()) {
    entries_.erase(gone, entries_.end());
    modified_ = true;
  }
}

void AltSvcCache::Add(AltSvcEntry entry) {
  if (entries_.size() >= kAltSvcMaxEntries) {
    auto soonest = std::min_element(entries_.begin(), entries_.end(), [](const AltSvcEntry& a, const AltSvcEntry& b) {
      return a.expires < b.expires;
    });
    entries_.erase(soonest);
  }
  entries_.push_back(std::move(entry));
  modified_ = true;
}

std::vector<AltSvcEntry> AltSvcCache::Apply(absl::string_view src_alpn, absl::string_view host, uint16_t port,
                                            const AltSvcField& field, int64_t now) {
  std::vector<AltSvcEntry> added;
  const std::string src = LowerAlpn(src_alpn);
  const std::string src_host = NormalizeAltSvcHost(host);
  if (!KnownAlpn(src) || src_host.empty() || port == 0) return added;
  if (field.clear) {
    Flush(src, src_host, port);
    return added;
  }
  bool flushed = false;
  for (const AltSvcAlternative& alt : field.alternatives) {
    std::string dst = LowerAlpn(alt.protocol_id);
    std::string dst_host = alt.host.empty() ? src_host : NormalizeAltSvcHost(alt.host);
    // "." (or "...") names no host once its trailing dots are gone.
    if (!KnownAlpn(dst) || dst_host.empty()) continue;
    if (!flushed) {
      // As curl: the first usable alternative of a field replaces what the
      // origin advertised before.
      Flush(src, src_host, port);
      flushed = true;
    }
    AltSvcEntry e;
    e.src_alpn = src;
    e.src_host = src_host;
    e.src_port = port;
    e.dst_alpn = dst;
    e.dst_host = std::move(dst_host);
    e.dst_port = alt.port;
    e.expires = now + static_cast<int64_t>(alt.max_age_seconds);
    e.persist = alt.persist;
    added.push_back(e);
    Add(std::move(e));
  }
  return added;
}

std::optional<AltSvcEntry> AltSvcCache::Lookup(absl::string_view host, uint16_t port, absl::string_view dst_alpn,
                                               int64_t now, bool include_broken) {
  const std::string h = NormalizeAltSvcHost(host);
  const std::string alpn = LowerAlpn(dst_alpn);
  std::optional<AltSvcEntry> found;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->expires <= now) {
      it = entries_.erase(it);
      modified_ = true;
      continue;
    }
    if (!found && it->src_host == h && it->src_port == port && it->dst_alpn == alpn &&
        (include_broken || !IsBroken(it->dst_alpn, it->dst_host, it->dst_port, now))) {
      found = *it;
    }
    ++it;
  }
  return found;
}

void AltSvcCache::MarkBroken(absl::string_view dst_alpn, absl::string_view dst_host, uint16_t dst_port,
                             int64_t until) {
  const std::string alpn = LowerAlpn(dst_alpn), host = NormalizeAltSvcHost(dst_host);
  for (Broken& b : broken_) {
    if (b.alpn == alpn && b.host == host && b.port == dst_port) {
      b.until = std::max(b.until, until);
      return;
    }
  }
  if (broken_.size() >= kAltSvcMaxEntries) broken_.erase(broken_.begin());
  broken_.push_back({alpn, host, dst_port, until});
}

bool AltSvcCache::IsBroken(absl::string_view dst_alpn, absl::string_view dst_host, uint16_t dst_port,
                           int64_t now) const {
  const std::string alpn = LowerAlpn(dst_alpn), host = NormalizeAltSvcHost(dst_host);
  for (const Broken& b : broken_) {
    if (b.alpn == alpn && b.host == host && b.port == dst_port && now < b.until) return true;
  }
  return false;
}

AltSvcLoadStats AltSvcCache::Load(absl::string_view text, int64_t now) {
  AltSvcLoadStats stats;
  const bool was_modified = modified_;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    absl::string_view t = absl::StripLeadingAsciiWhitespace(line);
    if (t.empty() || t.front() == '#') continue;
    if (t.size() > 4095) {
      ++stats.malformed;
      continue;
    }
    // Nine fields; the seventh is a quoted "date time".
    size_t q1 = t.find('"'), q2 = q1 == absl::string_view::npos ? q1 : t.find('"', q1 + 1);
    if (q2 == absl::string_view::npos) {
      ++stats.malformed;
      continue;
    }
    std::vector<absl::string_view> head = absl::StrSplit(t.substr(0, q1), ' ', absl::SkipEmpty());
    std::vector<absl::string_view> tail = absl::StrSplit(t.substr(q2 + 1), ' ', absl::SkipEmpty());
    AltSvcEntry e;
    uint32_t persist = 0, prio = 0;
    if (head.size() != 6 || tail.size() != 2 || !KnownAlpn(LowerAlpn(head[0])) || !KnownAlpn(LowerAlpn(head[3])) ||
        !ValidHost(head[1]) || !ValidHost(head[4]) || !ParsePort(head[2], &e.src_port) ||
        !ParsePort(head[5], &e.dst_port) || !ParseExpiry(t.substr(q1 + 1, q2 - q1 - 1), &e.expires) ||
        !absl::SimpleAtoi(tail[0], &persist) || !absl::SimpleAtoi(tail[1], &prio)) {
      ++stats.malformed;
      continue;
    }
    if (e.expires <= now) {
      ++stats.expired;
      continue;
    }
    e.src_alpn = LowerAlpn(head[0]);
    e.src_host = NormalizeAltSvcHost(head[1]);
    e.dst_alpn = LowerAlpn(head[3]);
    e.dst_host = NormalizeAltSvcHost(head[4]);
    if (e.src_host.empty() || e.dst_host.empty()) {
      ++stats.malformed;
      continue;
    }
    e.persist = persist != 0;
    e.priority = prio;
    Add(std::move(e));
    ++stats.loaded;
  }
  modified_ = was_modified;
  return stats;
}

std::string AltSvcCache::Serialize(int64_t now) const {
  std::string out(kAltSvcFileHeader);
  for (const AltSvcEntry& e : entries_) {
    if (e.expires <= now) continue;
    absl::StrAppend(&out, e.src_alpn, " ", e.src_host, " ", e.src_port, " ", e.dst_alpn, " ", e.dst_host, " ",
                    e.dst_port, " \"", FormatExpiry(e.expires), "\" ", e.persist ? 1 : 0, " ", e.priority, "\n");
  }
  return out;
}

absl::Status LoadAltSvcFile(const std::string& path, AltSvcCache* cache, int64_t now, AltSvcLoadStats* stats) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat("alt-svc file ", path, ": ", strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  AltSvcLoadStats s = cache->Load(text.str(), now);
  if (stats) *stats = s;
  return absl::OkStatus();
}

absl::Status SaveAltSvcFile(const std::string& path, const AltSvcCache& cache, int64_t now) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  const std::string text = cache.Serialize(now);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat("alt-svc file ", tmp, ": ", strerror(errno)));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return absl::DataLossError(absl::StrCat("alt-svc file ", tmp, ": ", strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return absl::DataLossError(absl::StrCat("alt-svc file ", path, ": ", strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace strata
