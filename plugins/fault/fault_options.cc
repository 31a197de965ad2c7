#include "plugins/fault/fault_options.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace strata::fault {
namespace {

using nlohmann::json;

enum class Kind { kNumber, kRange, kErrno, kSeed };

// RandomRange: what "random" may pick for one option. Chosen so a random
// fault lands inside a small response and a random delay or rate keeps a
// test run short.
struct Key {
  const char* name;
  Kind kind;
  uint64_t random_lo;
  uint64_t random_hi;
};

// The draw order of "random" values: append only, or old seeds replay
// different choices.
const std::vector<Key>& KeyTable() {
  static const std::vector<Key> keys = {
      {"connect_delay_ms", Kind::kNumber, 0, 100}, {"read_delay_ms", Kind::kNumber, 0, 100},
      {"write_delay_ms", Kind::kNumber, 0, 100},   {"jitter_ms", Kind::kNumber, 0, 100},
      {"rate_in", Kind::kNumber, 4096, 262144},    {"rate_out", Kind::kNumber, 4096, 262144},
      {"close_after_in", Kind::kNumber, 0, 16383}, {"truncate_in", Kind::kNumber, 0, 16383},
      {"close_after_out", Kind::kNumber, 0, 16383}, {"reset_after_in", Kind::kNumber, 0, 16383},
      {"stall_after_in", Kind::kNumber, 0, 16383}, {"corrupt_in", Kind::kRange, 0, 16383},
      {"corrupt_out", Kind::kRange, 0, 16383},     {"duplicate_in", Kind::kRange, 0, 16383},
      {"chunk", Kind::kNumber, 1, 64},             {"refuse", Kind::kErrno, 0, 0},
      {"seed", Kind::kSeed, 0, 0},
  };
  return keys;
}

constexpr uint64_t kRandomRangeMaxLength = 16;

absl::Status Bad(const std::string& key, const std::string& expected, const json& found) {
  return absl::InvalidArgumentError(
      absl::StrCat("fault option '", key, "' must be ", expected, ", found ", found.dump()));
}

// Text is a string value as is, a number as its digits.
std::optional<std::string> Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return std::to_string(v.get<int64_t>());
  return std::nullopt;
}

absl::StatusOr<uint64_t> WholeNumber(const std::string& key, const json& v) {
  std::optional<std::string> text = Text(v);
  uint64_t n = 0;
  if (!text || text->empty() || text->find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(*text, &n)) {
    return Bad(key, "a whole number >= 0 (or \"random\" with a seed)", v);
  }
  return n;
}

void Assign(FaultOptions* o, const std::string& key, uint64_t n) {
  if (key == "connect_delay_ms") o->connect_delay_ms = n;
  if (key == "read_delay_ms") o->read_delay_ms = n;
  if (key == "write_delay_ms") o->write_delay_ms = n;
  if (key == "jitter_ms") o->jitter_ms = n;
  if (key == "rate_in") o->rate_in = n;
  if (key == "rate_out") o->rate_out = n;
  if (key == "close_after_in" || key == "truncate_in") {
    o->close_after_in = o->close_after_in ? std::min(*o->close_after_in, n) : n;
  }
  if (key == "close_after_out") o->close_after_out = n;
  if (key == "reset_after_in") o->reset_after_in = n;
  if (key == "stall_after_in") o->stall_after_in = n;
  if (key == "chunk") o->chunk = n;
}

void AssignRange(FaultOptions* o, const std::string& key, ByteRange r) {
  if (key == "corrupt_in") o->corrupt_in = r;
  if (key == "corrupt_out") o->corrupt_out = r;
  if (key == "duplicate_in") o->duplicate_in = r;
}

std::string RefusalNames() {
  std::vector<std::string> names;
  for (const Refusal& r : Refusals()) names.push_back(r.name);
  return absl::StrJoin(names, ", ");
}

}  // namespace

const std::vector<std::string>& FaultOptionKeys() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Key& k : KeyTable()) out.push_back(k.name);
    return out;
  }();
  return names;
}

absl::StatusOr<FaultOptions> ParseFaultOptions(const std::string& json_text) {
  json doc = json::parse(json_text.empty() ? "{}" : json_text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return absl::InvalidArgumentError("fault options must be a JSON object");
  std::set<std::string> known(FaultOptionKeys().begin(), FaultOptionKeys().end());
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!known.count(it.key())) {
      return absl::InvalidArgumentError(absl::StrCat("unknown fault option '", it.key(),
                                                     "' (known: ", absl::StrJoin(FaultOptionKeys(), ", "), ")"));
    }
  }
  FaultOptions o;
  // The seed first: every "random" below needs it.
  if (doc.contains("seed")) {
    absl::StatusOr<uint64_t> seed = WholeNumber("seed", doc["seed"]);
    if (!seed.ok()) return seed.status();
    o.seed = *seed;
    o.prng = Prng(*seed);
  }
  for (const Key& k : KeyTable()) {
    if (k.kind == Kind::kSeed || !doc.contains(k.name)) continue;
    const std::string key = k.name;
    const json& v = doc[key];
    const bool random = v.is_string() && v.get<std::string>() == "random";
    if (random && !o.seed) {
      return absl::InvalidArgumentError(
          absl::StrCat("fault option '", key, "' is \"random\" but no seed is given (add \"seed\": N)"));
    }
    switch (k.kind) {
      case Kind::kNumber: {
        uint64_t n = 0;
        if (random) {
          n = o.prng.Uniform(k.random_lo, k.random_hi);
          o.random_choices.push_back(absl::StrCat(key, "=", n));
        } else {
          absl::StatusOr<uint64_t> parsed = WholeNumber(key, v);
          if (!parsed.ok()) return parsed.status();
          n = *parsed;
        }
        Assign(&o, key, n);
        break;
      }
      case Kind::kRange: {
        ByteRange r;
        if (random) {
          r.offset = o.prng.Uniform(k.random_lo, k.random_hi);
          r.length = o.prng.Uniform(1, kRandomRangeMaxLength);
          o.random_choices.push_back(absl::StrCat(key, "=", FormatByteRange(r)));
        } else {
          if (!v.is_string()) return Bad(key, "\"OFFSET:LEN\" (or \"random\" with a seed)", v);
          absl::StatusOr<ByteRange> parsed = ParseByteRange(k.name, v.get<std::string>());
          if (!parsed.ok()) return parsed.status();
          r = *parsed;
        }
        AssignRange(&o, key, r);
        break;
      }
      case Kind::kErrno: {
        if (random) {
          o.refuse = &Refusals()[o.prng.Uniform(0, Refusals().size() - 1)];
          o.random_choices.push_back(absl::StrCat(key, "=", o.refuse->name));
        } else {
          o.refuse = v.is_string() ? FindRefusal(v.get<std::string>()) : nullptr;
          if (!o.refuse) return Bad(key, absl::StrCat("an errno name (one of ", RefusalNames(), ")"), v);
        }
        break;
      }
      case Kind::kSeed:
        break;
    }
  }
  return o;
}

std::string FaultOptions::Summary() const {
  std::vector<std::string> parts;
  auto num = [&](const char* key, uint64_t v) {
    if (v) parts.push_back(absl::StrCat(key, "=", v));
  };
  auto opt = [&](const char* key, const std::optional<uint64_t>& v) {
    if (v) parts.push_back(absl::StrCat(key, "=", *v));
  };
  auto range = [&](const char* key, const std::optional<ByteRange>& r) {
    if (r) parts.push_back(absl::StrCat(key, "=", FormatByteRange(*r)));
  };
  num("connect_delay_ms", connect_delay_ms);
  num("read_delay_ms", read_delay_ms);
  num("write_delay_ms", write_delay_ms);
  num("jitter_ms", jitter_ms);
  num("rate_in", rate_in);
  num("rate_out", rate_out);
  opt("close_after_in", close_after_in);
  opt("close_after_out", close_after_out);
  opt("reset_after_in", reset_after_in);
  opt("stall_after_in", stall_after_in);
  range("corrupt_in", corrupt_in);
  range("corrupt_out", corrupt_out);
  range("duplicate_in", duplicate_in);
  num("chunk", chunk);
  if (refuse) parts.push_back(absl::StrCat("refuse=", refuse->name));
  opt("seed", seed);
  return absl::StrJoin(parts, " ");
}

}  // namespace strata::fault
