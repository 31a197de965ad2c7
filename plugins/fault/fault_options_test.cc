#include "plugins/fault/fault_options.h"

#include <cerrno>
#include <string>

#include "gtest/gtest.h"
#include "plugins/fault/prng.h"

namespace strata::fault {
namespace {

TEST(FaultOptions, NoOptionsMeansNoFault) {
  absl::StatusOr<FaultOptions> o = ParseFaultOptions("{}");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->Summary(), "");
  EXPECT_EQ(o->chunk, 0u);
  EXPECT_FALSE(o->close_after_in);
  EXPECT_EQ(o->refuse, nullptr);
}

TEST(FaultOptions, ReadsEveryKeyAsNumberOrText) {
  absl::StatusOr<FaultOptions> o = ParseFaultOptions(R"({
    "connect_delay_ms": 1, "read_delay_ms": "2", "write_delay_ms": 3, "jitter_ms": 4,
    "rate_in": 5000, "rate_out": "6000", "close_after_in": 7, "close_after_out": 8,
    "reset_after_in": 9, "stall_after_in": 10, "corrupt_in": "11:2", "corrupt_out": "13:1",
    "duplicate_in": "14:3", "chunk": "1", "refuse": "ECONNREFUSED", "seed": 42})");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->connect_delay_ms, 1u);
  EXPECT_EQ(o->read_delay_ms, 2u);
  EXPECT_EQ(o->write_delay_ms, 3u);
  EXPECT_EQ(o->jitter_ms, 4u);
  EXPECT_EQ(o->rate_in, 5000u);
  EXPECT_EQ(o->rate_out, 6000u);
  EXPECT_EQ(o->close_after_in, 7u);
  EXPECT_EQ(o->close_after_out, 8u);
  EXPECT_EQ(o->reset_after_in, 9u);
  EXPECT_EQ(o->stall_after_in, 10u);
  ASSERT_TRUE(o->corrupt_in);
  EXPECT_EQ(o->corrupt_in->offset, 11u);
  EXPECT_EQ(o->corrupt_in->length, 2u);
  ASSERT_TRUE(o->corrupt_out);
  EXPECT_EQ(o->corrupt_out->offset, 13u);
  ASSERT_TRUE(o->duplicate_in);
  EXPECT_EQ(o->duplicate_in->length, 3u);
  EXPECT_EQ(o->chunk, 1u);
  ASSERT_NE(o->refuse, nullptr);
  EXPECT_EQ(o->refuse->error, ECONNREFUSED);
  EXPECT_EQ(o->refuse->status, STRATA_E_CONNECT);
  EXPECT_EQ(o->seed, 42u);
  EXPECT_TRUE(o->random_choices.empty());
}

TEST(FaultOptions, TruncateInIsCloseAfterInAndTheSmallerWins) {
  absl::StatusOr<FaultOptions> o = ParseFaultOptions(R"({"truncate_in": 100})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->close_after_in, 100u);
  o = ParseFaultOptions(R"({"truncate_in": 100, "close_after_in": 50})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->close_after_in, 50u);
}

TEST(FaultOptions, UnknownKeyIsNamed) {
  absl::StatusOr<FaultOptions> o = ParseFaultOptions(R"({"chunk": 1, "chunks": 2})");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("unknown fault option 'chunks'"), std::string::npos) << o.status();
}

TEST(FaultOptions, BadValuesNameTheKey) {
  struct Case {
    const char* json;
    const char* key;
  } cases[] = {
      {R"({"chunk": -1})", "chunk"},
      {R"({"rate_in": 1.5})", "rate_in"},
      {R"({"read_delay_ms": "soon"})", "read_delay_ms"},
      {R"({"close_after_in": true})", "close_after_in"},
      {R"({"corrupt_in": 5})", "corrupt_in"},
      {R"({"duplicate_in": "5"})", "duplicate_in"},
      {R"({"refuse": "ENOPE"})", "refuse"},
      {R"({"refuse": 111})", "refuse"},
      {R"({"seed": "x"})", "seed"},
      {R"({"seed": 99999999999999999999999})", "seed"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<FaultOptions> o = ParseFaultOptions(c.json);
    ASSERT_FALSE(o.ok()) << c.json;
    EXPECT_NE(o.status().message().find(std::string("'") + c.key + "'"), std::string::npos) << o.status();
  }
}

TEST(FaultOptions, NotAnObjectIsRefused) {
  EXPECT_FALSE(ParseFaultOptions("[1]").ok());
  EXPECT_FALSE(ParseFaultOptions("{").ok());
}

TEST(FaultOptions, RandomNeedsASeed) {
  absl::StatusOr<FaultOptions> o = ParseFaultOptions(R"({"close_after_in": "random"})");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("no seed"), std::string::npos) << o.status();
}

TEST(FaultOptions, SameSeedSameChoicesWhateverTheKeyOrder) {
  const char* a = R"({"seed": 7, "close_after_in": "random", "corrupt_in": "random", "refuse": "random",
                      "chunk": "random", "jitter_ms": "random"})";
  const char* b = R"({"refuse": "random", "jitter_ms": "random", "chunk": "random", "corrupt_in": "random",
                      "close_after_in": "random", "seed": 7})";
  absl::StatusOr<FaultOptions> x = ParseFaultOptions(a);
  absl::StatusOr<FaultOptions> y = ParseFaultOptions(b);
  ASSERT_TRUE(x.ok()) << x.status();
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(x->Summary(), y->Summary());
  EXPECT_EQ(x->random_choices, y->random_choices);
  EXPECT_EQ(x->random_choices.size(), 5u);
  // The generator continues identically too (jitter draws replay).
  EXPECT_EQ(x->prng.Next(), y->prng.Next());
  // Values lie in the documented ranges.
  EXPECT_LE(*x->close_after_in, 16383u);
  EXPECT_GE(x->chunk, 1u);
  EXPECT_LE(x->chunk, 64u);
  EXPECT_GE(x->corrupt_in->length, 1u);
  EXPECT_LE(x->corrupt_in->length, 16u);
  EXPECT_NE(x->refuse, nullptr);
}

TEST(FaultOptions, DifferentSeedsDiffer) {
  std::string first;
  bool any_different = false;
  for (int seed = 1; seed <= 5; ++seed) {
    absl::StatusOr<FaultOptions> o = ParseFaultOptions(
        "{\"seed\": " + std::to_string(seed) + R"(, "close_after_in": "random", "corrupt_in": "random"})");
    ASSERT_TRUE(o.ok());
    if (seed == 1) first = o->Summary();
    if (o->Summary() != first) any_different = true;
  }
  EXPECT_TRUE(any_different);
}

TEST(Prng, ReplaysFromTheSeedAndStaysInRange) {
  Prng a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.Uniform(10, 20);
    EXPECT_EQ(x, b.Uniform(10, 20));
    EXPECT_GE(x, 10u);
    EXPECT_LE(x, 20u);
    if (x != c.Uniform(10, 20)) differs = true;
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(a.Uniform(5, 5), 5u);
}

TEST(Prng, KnownFirstValueForSeedZero) {
  // SplitMix64's published first output for state 0; pins the algorithm
  // so recorded seeds keep replaying across releases.
  Prng p(0);
  EXPECT_EQ(p.Next(), 0xe220a8397b1dcdafULL);
}

}  // namespace
}  // namespace strata::fault
