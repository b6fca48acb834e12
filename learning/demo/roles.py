"""Which demo departments take which role module: one table, keyed by module slug.

The general modules (01–05, any module not named here) go to everyone in the demo's yearly campaign; each
role module gets a campaign of its own for the departments it fits (their subtrees, so that the branches a
large demo generates under R-SALES or G-NW take theirs too). A slug that is not in content/ yet is skipped,
so the modules still being written are picked up the day they land.
"""

from __future__ import annotations

from dataclasses import dataclass

EVERYONE = "everyone"  # the whole organisation
MANAGERS = "managers"  # the people who hold a manager grant (heads of a department), not their staff
MOVERS = "movers"  # only the people moved along the transfer rules of `moves` (a campaign per rule)


@dataclass(frozen=True)
class RoleAudience:
    label: tuple[str, str]  # (Japanese, English), in the campaign's name
    include: tuple[str, ...] | str  # department codes (their subtrees), or EVERYONE / MANAGERS / MOVERS
    exclude: tuple[str, ...] = ()
    # MOVERS: the transfer rules, (from, into, label in Japanese, label in English), each a campaign whose
    # only audience is its rule.
    moves: tuple[tuple[str, str, str, str], ...] = ()


ROLE_MODULES: dict[str, RoleAudience] = {
    # Retail sales branches and their sections; the call centre has its own module.
    "retail-sales-field": RoleAudience(("営業・現場", "sales and field staff"), ("R-SALES",), exclude=("R-CC",)),
    "retail-call-centre": RoleAudience(("小売コールセンター", "the retail call centre"), ("R-CC",)),
    # Network centres (the wheeling desks, 託送窓口, and distribution field work) and the wheeling call centre.
    "grid-front-line": RoleAudience(("送配電の最前線", "the grid front line"), ("G-NW",)),
    "systems-design-operation": RoleAudience(
        ("システムの設計・運用", "systems design and operation"), ("R-IT", "G-IT")
    ),
    # Departments that order work from contractors: field works, the outsourced call centre, system vendors.
    "contractors-consignment": RoleAudience(
        ("委託先の管理", "managing contractors"), ("G-NC-E", "G-NC-W", "R-CC", "R-IT", "G-IT")
    ),
    # Whoever moves between the companies, either way: the transfer rule assigns it at the move.
    "moving-between-grid-and-retail": RoleAudience(
        ("会社間の異動", "moves between the companies"),
        MOVERS,
        moves=(("G", "R", "送配電から小売へ", "grid to retail"), ("R", "G", "小売から送配電へ", "retail to grid")),
    ),
    # The network centres take generators' connection applications and the FIT purchase work.
    "renewables-fit": RoleAudience(("再エネ・FIT業務", "renewables and FIT work"), ("G-NC-E", "G-NC-W")),
    # Managers as the first line; officers; reporting a breach, for everyone.
    "managers-first-line": RoleAudience(("管理職", "managers"), MANAGERS),
    "officers": RoleAudience(("役員", "officers"), ("R-EXEC", "G-EXEC")),
    "reporting-a-breach": RoleAudience(("違反の報告", "reporting a breach"), EVERYONE),
}


def is_role_module(slug: str) -> bool:
    return slug in ROLE_MODULES
