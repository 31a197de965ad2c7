#include "tools/cli/url_glob.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace strata::cli {
namespace {

// A piece of the URL: literal text, or a pattern's values.
struct Piece {
  bool pattern = false;
  std::string text;
  std::vector<std::string> values;
};

absl::Status GlobError(absl::string_view what, absl::string_view url, size_t pos) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " in URL position ", pos + 1, ":\n", url, "\n", std::string(pos, ' '), "^"));
}

bool LooksLikeIpv6(absl::string_view inside) {
  if (inside.find(':') == absl::string_view::npos) return false;
  for (char c : inside) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.' && c != '%') return false;
  }
  return true;
}

// ParseRange reads "first-last[:step]" (numbers, or single letters of the
// same case) into its values; false if malformed.
bool ParseRange(absl::string_view spec, std::vector<std::string>* values) {
  absl::string_view range = spec;
  int64_t step = 1;
  if (size_t colon = spec.find(':'); colon != absl::string_view::npos) {
    range = spec.substr(0, colon);
    if (!absl::SimpleAtoi(spec.substr(colon + 1), &step) || step < 1) return false;
  }
  size_t dash = range.find('-');
  if (dash == absl::string_view::npos || dash == 0 || dash + 1 == range.size()) return false;
  absl::string_view first = range.substr(0, dash), last = range.substr(dash + 1);
  if (first.size() == 1 && last.size() == 1 && absl::ascii_isalpha(first[0]) && absl::ascii_isalpha(last[0])) {
    if (absl::ascii_isupper(first[0]) != absl::ascii_isupper(last[0]) || first[0] > last[0]) return false;
    for (int c = first[0]; c <= last[0]; c += static_cast<int>(step)) values->push_back(std::string(1, char(c)));
    return true;
  }
  int64_t from = 0, to = 0;
  for (absl::string_view n : {first, last}) {
    for (char c : n) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  if (!absl::SimpleAtoi(first, &from) || !absl::SimpleAtoi(last, &to) || from > to) return false;
  if ((to - from) / step >= static_cast<int64_t>(kMaxGlobUrls)) return false;
  // A leading zero pads every value to the first one's width.
  const size_t width = first.size() > 1 && first[0] == '0' ? first.size() : 0;
  for (int64_t v = from; v <= to; v += step) {
    std::string s = absl::StrCat(v);
    if (s.size() < width) s.insert(0, width - s.size(), '0');
    values->push_back(std::move(s));
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<GlobbedUrl>> ExpandUrlGlob(absl::string_view url) {
  std::vector<Piece> pieces(1);
  for (size_t i = 0; i < url.size(); ++i) {
    const char c = url[i];
    if (c == '\\' && i + 1 < url.size() && absl::string_view("[]{}").find(url[i + 1]) != absl::string_view::npos) {
      pieces.back().text += url[++i];
      continue;
    }
    if (c == '{') {
      size_t close = url.find('}', i);
      size_t nested = url.find('{', i + 1);
      if (close == absl::string_view::npos) return GlobError("unmatched brace", url, i);
      if (nested < close) return GlobError("nested brace", url, nested);
      Piece p;
      p.pattern = true;
      for (absl::string_view v : absl::StrSplit(url.substr(i + 1, close - i - 1), ',')) p.values.emplace_back(v);
      pieces.push_back(std::move(p));
      pieces.emplace_back();
      i = close;
      continue;
    }
    if (c == '[') {
      size_t close = url.find(']', i);
      if (close != absl::string_view::npos && LooksLikeIpv6(url.substr(i + 1, close - i - 1))) {
        absl::StrAppend(&pieces.back().text, url.substr(i, close - i + 1));
        i = close;
        continue;
      }
      Piece p;
      p.pattern = true;
      if (close == absl::string_view::npos || !ParseRange(url.substr(i + 1, close - i - 1), &p.values)) {
        return GlobError("bad range", url, i + 1);
      }
      pieces.push_back(std::move(p));
      pieces.emplace_back();
      i = close;
      continue;
    }
    if (c == '}' || c == ']') return GlobError(c == '}' ? "unmatched close brace" : "unmatched close bracket", url, i);
    pieces.back().text += c;
  }
  size_t total = 1;
  for (const Piece& p : pieces) {
    if (!p.pattern) continue;
    total *= p.values.size();
    if (total > kMaxGlobUrls) {
      return absl::InvalidArgumentError(absl::StrCat("the URL stands for more than ", kMaxGlobUrls, " URLs:\n", url));
    }
  }
  // Odometer over the patterns, the last one turning fastest.
  std::vector<size_t> at;
  for (const Piece& p : pieces) {
    if (p.pattern) at.push_back(0);
  }
  std::vector<GlobbedUrl> out;
  out.reserve(total);
  for (size_t n = 0; n < total; ++n) {
    GlobbedUrl g;
    size_t k = 0;
    for (const Piece& p : pieces) {
      if (!p.pattern) {
        g.url += p.text;
        continue;
      }
      g.url += p.values[at[k]];
      g.values.push_back(p.values[at[k]]);
      ++k;
    }
    out.push_back(std::move(g));
    for (size_t j = at.size(); j-- > 0;) {
      size_t size = 0, seen = 0;
      for (const Piece& p : pieces) {
        if (p.pattern && seen++ == j) size = p.values.size();
      }
      if (++at[j] < size) break;
      at[j] = 0;
    }
  }
  return out;
}

std::string EscapeGlobCharacters(absl::string_view url) {
  size_t start = url.find("://");
  start = start == absl::string_view::npos ? 0 : url.find_first_of("/?#", start + 3);
  if (start == absl::string_view::npos) return std::string(url);
  std::string out(url.substr(0, start));
  for (char c : url.substr(start)) {
    switch (c) {
      case '[': out += "%5B"; break;
      case ']': out += "%5D"; break;
      case '{': out += "%7B"; break;
      case '}': out += "%7D"; break;
      default: out += c;
    }
  }
  return out;
}

std::string GlobOutputName(absl::string_view name, const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '#' && i + 1 < name.size() && absl::ascii_isdigit(static_cast<unsigned char>(name[i + 1]))) {
      size_t j = i + 1;
      while (j < name.size() && absl::ascii_isdigit(static_cast<unsigned char>(name[j]))) ++j;
      size_t n = 0;
      if (absl::SimpleAtoi(name.substr(i + 1, j - i - 1), &n) && n >= 1 && n <= values.size()) {
        out += values[n - 1];
        i = j - 1;
        continue;
      }
    }
    out += name[i];
  }
  return out;
}

}  // namespace strata::cli
