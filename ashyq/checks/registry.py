"""The one registry of integrity checks: each rule is data, not an ``if`` somewhere.

The checks stage evaluates these, the methodology page prints them, the findings CSV and the
station badges name them by ``id``, so what is checked and what is explained cannot disagree.

A protocol check compares two figures of one protocol (``actual`` against ``expected``, both SQL
expressions over the columns of the ``protocol_figures`` view) with ``relation``. When a figure
needs a line the protocol does not publish, the expression is NULL and the protocol is
"cannot be checked": never counted as passed. Turnout checks compare a unit's reports through the
day; their SQL is in ``sql/checks.sql`` under the same id.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ODIHR_2011 = "OSCE/ODIHR final report, Kazakhstan early presidential election 2011"
ODIHR_2019 = "OSCE/ODIHR IEOM statement of preliminary findings, Kazakhstan early presidential election 2019"
ECHO_2019 = "Citizen observers' report on the 2019 presidential election (Echo and partners), section \"Turnout\""
RU_FORM = "Russian federal protocol form (control ratios printed on the form, lines 1–12)"

# Share of the list added on election day above which a protocol is flagged. The 2019 IEOM saw about
# 25 voters added per station (≈2 % of an average list of ≈1,200) and singled out stations with more
# than 100 (≈8 %); 10 % is five times the average and above that level.
ADDED_ON_DAY_THRESHOLD_PERCENT = 10.0


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    formula: str                      # as people read it
    lines: tuple[str, ...]            # protocol lines it reads
    source: str                       # report and section the rule comes from
    description: str
    kind: str = "control_ratio"       # control_ratio (must hold) | indicator (worth a look) | turnout
    scope: str = "protocol"           # protocol | turnout
    relation: str = "="               # passes when actual <relation> expected
    actual: str = ""                  # SQL over protocol_figures
    expected: str = ""
    terms: dict[str, str] = field(default_factory=dict)  # label -> SQL, to say what is not published
    threshold: float | None = None
    detail: str = ""                  # SQL printf() for a failed protocol; default from the terms

    @property
    def badge(self) -> str:
        return {"control_ratio": "does not add up", "indicator": "flagged", "turnout": "turnout"}[self.kind]


ISSUED = "ballots issued (total, or early + in the station + outside)"
DERIVED_NOTE = ("Where the protocol does not publish the total but publishes its parts, the model derives the "
                "total once (marked \"derived\" on every page) and this check reads that same figure.")

CHECKS: tuple[Check, ...] = (
    Check(
        id="ballots_received_reconcile",
        title="Ballots received are all accounted for",
        formula="ballots received = ballots issued + ballots cancelled + ballots lost − ballots not accounted for at receipt",
        lines=("ballots_received", "ballots_issued", "ballots_issued_early", "ballots_issued_in_station",
               "ballots_issued_outside", "ballots_cancelled", "ballots_lost", "ballots_unaccounted"),
        source=f"{ODIHR_2011}, section XIV (10 PEC protocols where ballots received ≠ issued + cancelled); {RU_FORM}: 2 = 3 + 4 + 5 + 6 + 11 − 12",
        description=("Every ballot the commission received must be issued to a voter or cancelled. The Russian form adds "
                     "lost ballots and subtracts ballots found missing at receipt; where a form has no such lines "
                     "(Kazakhstan) they count as 0. Ballots issued is the total line where published, otherwise "
                     "the total derived from its parts (a part the form does not have, such as early voting, counts as 0)."),
        actual="ballots_received",
        expected="issued_total + ballots_cancelled + coalesce(ballots_lost, 0) - coalesce(ballots_unaccounted, 0)",
        terms={"ballots received": "ballots_received", ISSUED: "issued_total", "ballots cancelled": "ballots_cancelled"},
    ),
    Check(
        id="ballots_issued_total_equals_parts",
        title="Total ballots issued equals the sum of its parts",
        formula="voters who received a ballot = issued early + issued in the station + issued outside",
        lines=("ballots_issued", "ballots_issued_early", "ballots_issued_in_station", "ballots_issued_outside"),
        source=f"{ODIHR_2011}, section XIV (31 PEC protocols where the total issued ≠ the sum issued by each commissioner)",
        description="Only where a protocol publishes both the total and its parts (a derived total is not checked against the parts it came from).",
        actual="issued_published",
        expected="coalesce(ballots_issued_early, 0) + ballots_issued_in_station + ballots_issued_outside",
        terms={"total ballots issued": "issued_published", "ballots issued in the station": "ballots_issued_in_station",
               "ballots issued outside": "ballots_issued_outside"},
    ),
    Check(
        id="ballots_in_boxes_equal_counted",
        title="Ballots in the boxes equal valid + invalid",
        formula="ballots in the boxes (mobile + stationary, or the total line) = valid ballots + invalid ballots",
        lines=("ballots_in_boxes", "ballots_in_mobile_boxes", "ballots_in_stationary_boxes", "ballots_valid", "ballots_invalid"),
        source=f"{RU_FORM}: 7 + 8 = 9 + 10; compare {ODIHR_2011}, section XIV (17 PEC protocols where the voters who received ballots ≠ valid + invalid)",
        description="Every ballot found in a box is either valid or invalid.",
        actual="boxes_total",
        expected="ballots_valid + ballots_invalid",
        terms={"ballots in the boxes (total, or mobile + stationary)": "boxes_total",
               "valid ballots": "ballots_valid", "invalid ballots": "ballots_invalid"},
    ),
    Check(
        id="votes_equal_valid",
        title="Votes for all choices equal the valid ballots",
        formula="sum of the votes for every choice on the ballot (\"against all\" included) = valid ballots",
        lines=("ballots_valid",),
        source=f"{ODIHR_2011}, section XV (DEC summaries vs PEC protocols); {RU_FORM}: 10 = 13 + … (lines of the choices)",
        description="Cannot be checked where the vote of any choice on the ballot is not published.",
        actual="votes_total",
        expected="ballots_valid",
        terms={"votes of every choice": "votes_total", "valid ballots": "ballots_valid"},
    ),
    Check(
        id="ballots_in_boxes_le_issued",
        title="No more ballots in the boxes than were issued",
        formula="ballots in the boxes ≤ ballots issued",
        lines=("ballots_in_boxes", "ballots_in_mobile_boxes", "ballots_in_stationary_boxes", "ballots_issued",
               "ballots_issued_early", "ballots_issued_in_station", "ballots_issued_outside"),
        source=f"{ODIHR_2019}, election day (\"the total number of ballots exceeded the number of voters who voted\" in 9 % of counts)",
        description="More ballots in the boxes than voters given one is the arithmetic trace of ballot stuffing. Fewer is possible (ballots taken away).",
        relation="<=",
        actual="boxes_total",
        expected="issued_total",
        terms={"ballots in the boxes (total, or mobile + stationary)": "boxes_total", ISSUED: "issued_total"},
    ),
    Check(
        id="mobile_boxes_le_issued_outside",
        title="No more ballots in the mobile boxes than were issued outside",
        formula="ballots in mobile boxes ≤ ballots issued outside the station",
        lines=("ballots_in_mobile_boxes", "ballots_issued_outside"),
        source=f"{RU_FORM}: 7 ≤ 5",
        description="Mobile boxes hold only the ballots issued to voters at home.",
        relation="<=",
        actual="ballots_in_mobile_boxes",
        expected="ballots_issued_outside",
        terms={"ballots in mobile boxes": "ballots_in_mobile_boxes", "ballots issued outside": "ballots_issued_outside"},
    ),
    Check(
        id="mobile_boxes_le_home_requests",
        title="No more ballots in the mobile boxes than requests for home voting",
        formula="ballots in mobile boxes ≤ requests for home voting",
        lines=("ballots_in_mobile_boxes", "home_voting_requests"),
        source=f"{ODIHR_2019}, election day (mobile boxes held more ballots than requests in 81 % of counts observed); {ODIHR_2011}, section XV, footnote (the number in the mobile boxes was not compared with the requests)",
        description="Only where the number of requests is published.",
        relation="<=",
        actual="ballots_in_mobile_boxes",
        expected="home_voting_requests",
        terms={"ballots in mobile boxes": "ballots_in_mobile_boxes", "requests for home voting": "home_voting_requests"},
    ),
    Check(
        id="issued_le_list",
        title="No more voters received a ballot than are on the list",
        formula="ballots issued ≤ voters on the list",
        lines=("ballots_issued", "ballots_issued_early", "ballots_issued_in_station", "ballots_issued_outside", "voters_on_list"),
        source=f"{RU_FORM}: 1 ≥ 3 + 4 + 5",
        description="The list as published at the close (it includes voters added on the day).",
        relation="<=",
        actual="issued_total",
        expected="voters_on_list",
        terms={ISSUED: "issued_total", "voters on the list": "voters_on_list"},
    ),
    Check(
        id="turnout_exactly_100",
        title="Turnout of exactly 100 %",
        formula="ballots issued = voters on the list",
        lines=("ballots_issued", "ballots_issued_early", "ballots_issued_in_station", "ballots_issued_outside", "voters_on_list"),
        source=f"{ODIHR_2019}, election day (series of identical signatures, ballot box stuffing)",
        description="Not an error of arithmetic: every voter on the list voting is rare enough to be listed for a look.",
        kind="indicator",
        relation="<>",
        actual="issued_total",
        expected="voters_on_list",
        terms={ISSUED: "issued_total", "voters on the list": "voters_on_list"},
        detail="printf('All %,d voters on the list received a ballot (turnout 100 %%)', voters_on_list)",
    ),
    Check(
        id="added_on_day_share",
        title="Voters added on election day",
        formula=f"voters added on election day ÷ voters on the list × 100 ≤ {ADDED_ON_DAY_THRESHOLD_PERCENT:g} %",
        lines=("voters_added_on_day", "voters_on_list"),
        source=f"{ODIHR_2019}, election day and footnote 74 (about 25 voters added per station; some 40 stations with more than 100)",
        description=(f"Flagged above {ADDED_ON_DAY_THRESHOLD_PERCENT:g} % of the list: five times the 2019 average "
                     "(≈2 % of a list of ≈1,200) and above the 100 voters the mission singled out. Adding voters on "
                     "the day is lawful; a large share is worth a look, not proof of anything."),
        kind="indicator",
        relation="<=",
        actual="round(100.0 * voters_added_on_day / nullif(voters_on_list, 0), 2)",
        expected=f"{ADDED_ON_DAY_THRESHOLD_PERCENT}",
        terms={"voters added on election day": "voters_added_on_day", "voters on the list": "voters_on_list"},
        threshold=ADDED_ON_DAY_THRESHOLD_PERCENT,
        detail=("printf('%,d voters added on election day: %.2f %% of the %,d on the list (threshold %g %%)', "
                "voters_added_on_day, actual, voters_on_list, expected)"),
    ),
    Check(
        id="turnout_never_decreases",
        title="Turnout reports never go down",
        formula="each turnout report ≥ the report before it",
        lines=(),
        source=f"{ECHO_2019}",
        description=("Reported turnout is cumulative. Compared as counts of voters where every report of the unit "
                     "gives one, otherwise as published percentages. Needs at least two reports."),
        kind="turnout",
        scope="turnout",
    ),
    Check(
        id="last_report_le_final",
        title="The last turnout report is not above the final turnout",
        formula="last turnout report ≤ final turnout of the protocol (ballots issued, or its percentage)",
        lines=("ballots_issued", "ballots_issued_early", "ballots_issued_in_station", "ballots_issued_outside", "voters_on_list"),
        source=f"{ECHO_2019}",
        description=("Compared as counts where the reports give counts, otherwise as percentages with 0.01 point "
                     "allowed for rounding. The final figure is the official protocol of the unit."),
        kind="turnout",
        scope="turnout",
    ),
)

BY_ID = {check.id: check for check in CHECKS}

# Turnout-through-the-day indicators (table turnout_flags). Documented here with the checks.
ROBUST_Z_THRESHOLD = 3.5          # Iglewicz & Hoaglin (1993): |modified z| > 3.5 is a potential outlier
MIN_UNITS_FOR_OUTLIERS = 5        # fewer units at one report time: no comparison
SECOND_PEAK_SHARE = 0.25          # a fall and a rise each at least this share of the day's highest hourly rate

TURNOUT_FLAGS = {
    "outlier_increment": (
        "Increment far from the other units at the same report time",
        "Modified z-score of the turnout increment since the previous report (percentage points), against all units "
        "of the same level at the same report time: z = 0.6745 × (x − median) / MAD; flagged when |z| > "
        f"{ROBUST_Z_THRESHOLD:g} (Iglewicz & Hoaglin 1993). Not computed with fewer than {MIN_UNITS_FOR_OUTLIERS} "
        "units or when MAD is 0.",
    ),
    "second_peak": (
        "Second peak of turnout in a day",
        "Hourly rate of turnout between consecutive reports of the same day: after falling from a peak, it rises "
        f"again, both the fall and the rise at least {SECOND_PEAK_SHARE:.0%} of the day's highest hourly rate "
        "(as the Echo observers charted in 2019). The first report of a day is not used, its interval is unknown.",
    ),
}
