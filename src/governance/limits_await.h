// Asio completion-token forms of the Limiter's calls, for the gateway's coroutines:
//
//   auto rate = co_await async_check_rate(limiter, who, asio::use_awaitable);
//   auto budget = co_await async_reserve(limiter, who, worst_usd, asio::use_awaitable);
//   // both are Result<…>; an error means the backend is unavailable (503)
//
// The completion always runs through the handler's associated executor (posted, never
// inline), so the token must carry one (use_awaitable and as_tuple(use_awaitable) do).
// `who` is copied into the operation. Same threading rules as Limiter.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <string>
#include <utility>

#include "governance/limiter.h"

namespace sy::governance {

namespace detail {

// Subjects with owned strings, so the operation does not depend on the caller's.
struct OwnedSubjects {
  explicit OwnedSubjects(const Subjects& s)
      : key(s.key), team(s.team), project(s.project), org(s.org) {}
  Subjects view() const { return {key, team, project, org}; }
  std::string key, team, project, org;
};

// Hands the result to the handler on its associated executor.
template <class T, class Handler>
auto post_to(Handler handler) {
  return [h = std::move(handler)](Result<T> r) mutable {
    auto ex = boost::asio::get_associated_executor(h);
    boost::asio::post(ex, [h = std::move(h), r = std::move(r)]() mutable { h(std::move(r)); });
  };
}

struct InitiateCheckRate {
  template <class Handler>
  void operator()(Handler&& handler, Limiter* l, const OwnedSubjects& who) const {
    l->check_rate(who.view(), post_to<RateVerdict>(std::forward<Handler>(handler)));
  }
};

struct InitiateReserve {
  template <class Handler>
  void operator()(Handler&& handler, Limiter* l, const OwnedSubjects& who, double usd) const {
    l->reserve(who.view(), usd, post_to<BudgetVerdict>(std::forward<Handler>(handler)));
  }
};

}  // namespace detail

template <class Token>
auto async_check_rate(Limiter& limiter, const Subjects& who, Token&& token) {
  return boost::asio::async_initiate<Token, void(Result<RateVerdict>)>(
      detail::InitiateCheckRate{}, token, &limiter, detail::OwnedSubjects(who));
}

template <class Token>
auto async_reserve(Limiter& limiter, const Subjects& who, double worst_case_usd, Token&& token) {
  return boost::asio::async_initiate<Token, void(Result<BudgetVerdict>)>(
      detail::InitiateReserve{}, token, &limiter, detail::OwnedSubjects(who), worst_case_usd);
}

}  // namespace sy::governance
