"""How well the decision-maker engines find what the demo world hid: scored against ``truth_*``.

- Org charts: of the reporting lines Crestline inferred, the share whose manager is exactly the
  hidden true manager, and the share whose manager is a true ancestor (the manager or above).
- Power: for every opportunity, whether the true economic buyer is among the top 3 of the ranking
  for that opportunity (its offering's target functions and amount). The headline figure is
  *blind*: the opportunity's own recorded roles and touches are hidden from the engine (titles,
  chart and other deals only), because the generator writes the true economic buyer into the
  CRM's roles on three deals in four, and scoring with them would grade the engine on reading
  back the answer. The figure with the CRM's roles is kept beside it, named so.
- What even the blind figure cannot rule out: the generator chooses the economic buyer by level
  and function (a chief of the deal's function on big deals, else its most senior VP or
  director), which the engine's seniority and function-relevance factors also reward. It is an
  upper bound for real accounts, where the buyer is sometimes someone else.
Used by ``benchmarks/bench_decision_makers.py`` and the accuracy-floor tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, select

from crestline.db.models import (
    Account,
    Opportunity,
    TruthDeal,
    TruthPerson,
)
from crestline.engines.influence import rank_power
from crestline.services.decisions.insights import (
    AccountInputs,
    build_chart,
    load_inputs,
    offering_targets,
    stakeholders,
)
from crestline.services.decisions.titles import classifier

CHUNK = 200


@dataclass(frozen=True)
class TruthScores:
    inferred_lines: int
    exact_manager: float
    true_ancestor: float
    opportunities: int
    buyer_top3_blind: float
    buyer_top1_blind: float
    buyer_top3_with_crm_roles: float
    buyer_top1_with_crm_roles: float

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def _blind(inputs: AccountInputs, opportunity: int) -> AccountInputs:
    """The inputs without what the opportunity itself recorded: its roles and its touches."""
    roles = {pid: [(o, r) for o, r in rs if o != opportunity] for pid, rs in inputs.roles.items()}
    touches = {
        pid: [(d, o) for d, o in days if o != opportunity] for pid, days in inputs.touches.items()
    }
    return replace(inputs, roles=roles, touches=touches)


def score_against_truth(conn: Connection, *, limit_accounts: int | None = None) -> TruthScores:
    """Score the engines on the demo world held by ``conn`` (see the module's documentation)."""
    ids = list(
        conn.execute(select(Account.id).order_by(Account.id).limit(limit_accounts)).scalars()
    )
    truth_manager = dict(conn.execute(select(TruthPerson.person_id, TruthPerson.manager_id)).all())
    targets = offering_targets(conn)
    engine = classifier()
    exact = ancestor = lines = 0
    top3 = top1 = blind3 = blind1 = deals = 0
    far = dt.date(9999, 1, 1)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        inputs = load_inputs(conn, chunk, as_of=far, touch_window_days=None)
        opps = conn.execute(
            select(
                Opportunity.id,
                Opportunity.account_id,
                Opportunity.offering_id,
                Opportunity.amount_minor,
                Opportunity.created_on,
                TruthDeal.economic_buyer_id,
            )
            .join(TruthDeal, TruthDeal.opportunity_id == Opportunity.id)
            .where(Opportunity.account_id.in_(chunk))
        ).all()
        offerings = {o[0]: o[2] for o in opps if o[2] is not None}
        charts = {}
        for acc in chunk:
            _, chart = build_chart(inputs[acc], engine)
            charts[acc] = chart
            for line in chart.inferred:
                true = truth_manager.get(line.person_id)
                if true is None:
                    continue
                lines += 1
                exact += line.manager_id == true
                seen: set[int] = set()
                current: int | None = true
                while current is not None and current not in seen:
                    if current == line.manager_id:
                        ancestor += 1
                        break
                    seen.add(current)
                    current = truth_manager.get(current)
        for opp, acc, offering, amount, created, buyer in opps:
            if buyer is None:
                continue
            deals += 1
            day = created + dt.timedelta(days=30)
            fns = targets.get(offering, frozenset()) if offering is not None else frozenset()
            usd = amount / 100 if amount is not None else None
            for blind in (False, True):
                source = inputs[acc]
                if blind:
                    source = _blind(source, opp)
                ranked = rank_power(
                    stakeholders(source, charts[acc], opportunity=opp, offerings=offerings),
                    as_of=day,
                    target_functions=fns,
                    deal_amount=usd,
                    for_deal=True,
                )
                best = [s.person_id for s in ranked[:3]]
                if blind:
                    blind3 += buyer in best
                    blind1 += bool(best) and best[0] == buyer
                else:
                    top3 += buyer in best
                    top1 += bool(best) and best[0] == buyer
    return TruthScores(
        inferred_lines=lines,
        exact_manager=exact / lines if lines else 0.0,
        true_ancestor=ancestor / lines if lines else 0.0,
        opportunities=deals,
        buyer_top3_blind=blind3 / deals if deals else 0.0,
        buyer_top1_blind=blind1 / deals if deals else 0.0,
        buyer_top3_with_crm_roles=top3 / deals if deals else 0.0,
        buyer_top1_with_crm_roles=top1 / deals if deals else 0.0,
    )
