// The race's rules, on a fake clock (milliseconds given by the test).
#include "runtime/client/candidate_race.h"

#include "gtest/gtest.h"

namespace strata {
namespace {

using V = std::vector<size_t>;

TEST(CandidateRace, FirstStartsAloneThenOnePerStagger) {
  CandidateRace race(3, 250);
  EXPECT_EQ(race.DueStarts(1000), V{0});
  EXPECT_EQ(race.DueStarts(1100), V{}) << "candidate 1 still has its stagger";
  EXPECT_EQ(race.NextStartMs(), 1250u);
  EXPECT_EQ(race.DueStarts(1250), V{1});
  EXPECT_EQ(race.DueStarts(1499), V{});
  EXPECT_EQ(race.DueStarts(1500), V{2});
  EXPECT_EQ(race.NextStartMs(), std::nullopt);
  EXPECT_FALSE(race.over());
}

TEST(CandidateRace, AFailureLetsTheNextStartAtOnce) {
  CandidateRace race(3, 250);
  EXPECT_EQ(race.DueStarts(0), V{0});
  race.Lost(0, CandidateState::kRefused, "connection refused", 3);
  EXPECT_EQ(race.NextStartMs(), 0u);
  EXPECT_EQ(race.DueStarts(3), V{1});
  // Candidate 2 stalls: candidate 3 starts one stagger after it.
  EXPECT_EQ(race.DueStarts(200), V{});
  EXPECT_EQ(race.DueStarts(253), V{2});
  EXPECT_EQ(race.Won(2, 260), V{1}) << "the stalled one is cancelled";
  EXPECT_EQ(race.winner(), 2u);
  EXPECT_TRUE(race.over());
  EXPECT_EQ(race.candidates()[0].state, CandidateState::kRefused);
  EXPECT_EQ(race.candidates()[0].reason, "connection refused");
  EXPECT_EQ(race.candidates()[1].state, CandidateState::kCancelled);
  EXPECT_EQ(race.candidates()[1].reason, "still connecting when candidate 3 won");
  EXPECT_EQ(race.candidates()[2].state, CandidateState::kWon);
  EXPECT_EQ(race.DueStarts(1000), V{}) << "nothing starts after a win";
}

TEST(CandidateRace, AnEarlyWinnerMeansLaterOnesNeverStart) {
  CandidateRace race(3, 250);
  EXPECT_EQ(race.DueStarts(0), V{0});
  EXPECT_EQ(race.Won(0, 10), V{});
  EXPECT_EQ(race.candidates()[1].state, CandidateState::kCancelled);
  EXPECT_EQ(race.candidates()[1].started_ms, 0u);
  EXPECT_EQ(race.candidates()[1].reason, "not started: candidate 1 won first");
  EXPECT_EQ(race.NextStartMs(), std::nullopt);
}

TEST(CandidateRace, AnEarlierCandidateMayStillWinAfterALaterStarted) {
  CandidateRace race(2, 250);
  race.DueStarts(0);
  race.DueStarts(250);
  EXPECT_EQ(race.Won(0, 300), V{1});
  EXPECT_EQ(race.winner(), 0u);
}

TEST(CandidateRace, ZeroStaggerStartsAllAtOnce) {
  CandidateRace race(3, 0);
  EXPECT_EQ(race.DueStarts(5), (V{0, 1, 2}));
}

TEST(CandidateRace, PolicyRefusedCandidatesAreSkipped) {
  CandidateRace race(3, 250);
  race.Refuse(0, CandidateState::kPolicyRefused, "denied by policy x", 0);
  EXPECT_EQ(race.DueStarts(0), V{1});
  EXPECT_EQ(race.candidates()[0].state, CandidateState::kPolicyRefused);
  race.Refuse(1, CandidateState::kPolicyRefused, "too late", 0);
  EXPECT_EQ(race.candidates()[1].state, CandidateState::kConnecting) << "a started one is not refused";
}

TEST(CandidateRace, AllLostIsOverWithoutAWinner) {
  CandidateRace race(2, 250);
  race.DueStarts(0);
  race.Lost(0, CandidateState::kRefused, "a", 1);
  EXPECT_FALSE(race.over());
  race.DueStarts(1);
  race.Lost(1, CandidateState::kFailed, "b", 2);
  EXPECT_TRUE(race.over());
  EXPECT_EQ(race.winner(), std::nullopt);
}

TEST(CandidateRace, TimeOutEndsEveryoneConnectingAndWaiting) {
  CandidateRace race(3, 250);
  race.DueStarts(0);
  race.DueStarts(250);
  race.TimeOut(400, "connect timeout");
  EXPECT_TRUE(race.over());
  EXPECT_EQ(race.candidates()[0].state, CandidateState::kTimedOut);
  EXPECT_EQ(race.candidates()[1].state, CandidateState::kTimedOut);
  EXPECT_EQ(race.candidates()[2].state, CandidateState::kCancelled);
}

TEST(CandidateRace, EventsForCandidatesNotConnectingAreIgnored) {
  CandidateRace race(2, 250);
  race.Lost(1, CandidateState::kRefused, "not started", 0);
  EXPECT_EQ(race.candidates()[1].state, CandidateState::kWaiting);
  EXPECT_EQ(race.Won(1, 0), V{});
  EXPECT_EQ(race.winner(), std::nullopt);
  race.Lost(7, CandidateState::kRefused, "out of range", 0);
  EXPECT_EQ(race.Won(7, 0), V{});
}

TEST(CandidateRace, NamesSayWhy) {
  EXPECT_STREQ(CandidateStateName(CandidateState::kRefused), "refused");
  EXPECT_STREQ(CandidateStateName(CandidateState::kTimedOut), "timed out");
  EXPECT_STREQ(CandidateStateName(CandidateState::kCancelled), "cancelled");
  EXPECT_STREQ(CandidateStateName(CandidateState::kPolicyRefused), "policy refused");
}

}  // namespace
}  // namespace strata
