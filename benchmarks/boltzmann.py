"""Mesa's Boltzmann wealth model, written the idiomatic Mesa 3.5 way, as a speed yardstick.

This is the classic *no-space* version of the model from the Mesa tutorial: every agent starts
with one unit of wealth and, each step, an agent that has any wealth gives one unit to another
agent drawn at random from the whole population. It is the simplest Mesa model that still does
per-agent Python work, so its agent-steps per second measure what plain Mesa costs per agent.

Compared with Mesa's own example (``mesa/examples/basic/boltzmann_wealth_model``), we kept:

* agents as ``mesa.Agent`` subclasses with a ``step()`` method and a ``wealth`` attribute;
* the ``if wealth > 0`` rule and the one-unit transfer;
* the model built with ``Model(rng=seed)``, agents created with ``Agent.create_agents`` and
  activated with ``self.agents.shuffle_do("step")`` (random order each step);
* random draws through the model's seeded stdlib generator (``self.random``), as the example does;
* the Gini coefficient, as a property that is *not* evaluated while timing.

and dropped the grid (``OrthogonalMooreGrid``, the ``move()`` step and the same-cell rule), the
``DataCollector``/``DataRecorder`` and the ``Scenario`` class: they are not part of the
"simplest agent", and each would only make Mesa look slower.

One deliberate detail: the partner is drawn from a plain list of the agents taken once at set-up
(``self.model.agent_list``). Drawing with ``self.random.choice(self.model.agents)`` also works,
but indexing an ``AgentSet`` is deprecated in Mesa 3.5 and copies the whole set into a list on
every call (O(n) per draw, O(n²) per step), which would make the yardstick unfairly slow.
"""

from __future__ import annotations

import mesa

__all__ = ["BoltzmannWealth", "MoneyAgent"]


class MoneyAgent(mesa.Agent):
    """An agent with some wealth that it gives away one unit at a time."""

    def __init__(self, model: BoltzmannWealth) -> None:
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        """Give one unit of wealth to a random *other* agent, if there is any wealth to give."""
        if self.wealth <= 0:
            return
        agents = self.model.agent_list
        other = self.random.choice(agents)
        while other is self:  # redraw: the partner must be another agent
            other = self.random.choice(agents)
        other.wealth += 1
        self.wealth -= 1


class BoltzmannWealth(mesa.Model):
    """Boltzmann wealth model without space.

    Parameters
    ----------
    n : int
        Number of agents (at least 2).
    rng : int or numpy.random.Generator, optional
        Seed passed to :class:`mesa.Model`; it also seeds ``self.random``.
    """

    def __init__(self, n: int = 100, *, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        if n < 2:
            raise ValueError("the Boltzmann model needs at least two agents")
        self.num_agents = n
        MoneyAgent.create_agents(self, n)
        self.agent_list = self.agents.to_list()

    def step(self) -> None:
        self.agents.shuffle_do("step")

    @property
    def total_wealth(self) -> int:
        return sum(a.wealth for a in self.agent_list)

    @property
    def gini(self) -> float:
        """Gini coefficient of wealth (0 = equality, → 1 = one agent has everything)."""
        x = sorted(a.wealth for a in self.agent_list)
        n = len(x)
        b = sum(xi * (n - i) for i, xi in enumerate(x)) / (n * sum(x))
        return 1 + 1 / n - 2 * b


if __name__ == "__main__":
    m = BoltzmannWealth(1000, rng=42)
    for _ in range(200):
        m.step()
    print(f"steps={m.steps} agents={len(m.agents)} wealth={m.total_wealth} gini={m.gini:.3f}")
