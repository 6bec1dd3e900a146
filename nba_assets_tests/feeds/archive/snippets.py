"""Small archive files written for the tests, one quirk per game (invented numbers)."""

from __future__ import annotations

SBR_HEADER = "Date,Rot,VH,Team,1st,2nd,3rd,4th,Final,Open,Close,ML,2H"


def sbr_row(
    mmdd: str,
    rot: int,
    vh: str,
    team: str,
    quarters: tuple[int, int, int, int],
    final: int,
    open_: str,
    close: str,
    ml: str,
) -> str:
    q = ",".join(str(x) for x in quarters)
    return f"{mmdd},{rot},{vh},{team},{q},{final},{open_},{close},{ml},1"


# Season 2018-19. Game by game:
#  1016 PHI@BOS   plain: BOS favoured 5 -> 4.5, totals 208.5 -> 211.5, ML 170/-200
#  1017 GSW@LAC   camel-case names; open pk (on LAC's row), GSW favoured 1.5 at the close
#  1231 OKC@DAL   typo open total 1955.5 (quarantined; open spread 3 and the close load)
#  101  NYK@SAS   year rollover; both-negative ML -650/-650 (quarantined; lines load)
#  102  unknown team "Gotham" (quarantined)
#  103  a lone V row (quarantined), then MIA@ORL, an overtime game with "PK" and NL MLs
#  117  NYK vs WAS at a neutral site (N/N), WAS favoured 7.5 at the close
#  411  BKN@PHI after the regular season's last day (2019-04-10): postseason
SBR_2018 = "\n".join(
    [
        SBR_HEADER,
        sbr_row("1016", 501, "V", "Philadelphia", (21, 21, 24, 21), 87, "208.5", "211.5", "170"),
        sbr_row("1016", 502, "H", "Boston", (21, 26, 30, 28), 105, "5", "4.5", "-200"),
        sbr_row("1017", 503, "V", "GoldenState", (30, 25, 20, 25), 100, "222.5", "1.5", "-125"),
        sbr_row("1017", 504, "H", "LAClippers", (20, 20, 30, 28), 98, "pk", "223", "105"),
        sbr_row("1231", 505, "V", "OklahomaCity", (25, 25, 25, 25), 100, "1955.5", "210.5", "150"),
        sbr_row("1231", 506, "H", "Dallas", (30, 20, 30, 25), 105, "3", "3.5", "-170"),
        sbr_row("101", 507, "V", "NewYork", (20, 20, 20, 30), 90, "215", "214", "-650"),
        sbr_row("101", 508, "H", "SanAntonio", (25, 25, 25, 25), 100, "8", "8.5", "-650"),
        sbr_row("102", 509, "V", "Gotham", (25, 25, 25, 25), 100, "215", "214", "150"),
        sbr_row("102", 510, "H", "Boston", (25, 25, 25, 30), 105, "3", "3.5", "-170"),
        sbr_row("103", 511, "V", "Utah", (25, 25, 25, 25), 100, "215", "214", "150"),
        sbr_row("103", 513, "V", "Miami", (25, 25, 25, 25), 110, "PK", "205", "NL"),
        sbr_row("103", 514, "H", "Orlando", (25, 25, 25, 25), 108, "204.5", "1", "NL"),
        sbr_row("117", 541, "N", "NewYork", (30, 33, 26, 11), 100, "225", "229", "260"),
        sbr_row("117", 542, "N", "Washington", (20, 33, 24, 24), 101, "7", "7.5", "-330"),
        sbr_row("411", 601, "V", "Brooklyn", (25, 25, 25, 36), 111, "215", "214", "250"),
        sbr_row("411", 602, "H", "Philadelphia", (30, 30, 30, 41), 131, "7", "7.5", "-300"),
    ]
)
SBR_2018_QUARANTINED = 4  # typo total, both-negative ML, unknown team, lone row
SBR_2018_GAMES = 7

KAGGLE_HEADER = (
    "season,date,regular,playoffs,away,home,score_away,score_home,q1_away,q2_away,q3_away,"
    "q4_away,ot_away,q1_home,q2_home,q3_home,q4_home,ot_home,whos_favored,spread,total,"
    "moneyline_away,moneyline_home,h2_spread,h2_total,id_spread,id_total"
)


def kaggle_row(
    season: int,
    day: str,
    away: str,
    home: str,
    scores: tuple[int, int],
    favoured: str,
    spread: str,
    total: str,
    ml: tuple[str, str],
    *,
    regular: bool = True,
    overtime: tuple[int, int] = (0, 0),
) -> str:
    away_score, home_score = scores
    aq = _quarters(away_score - overtime[0])
    hq = _quarters(home_score - overtime[1])
    flags = "True,False" if regular else "False,True"
    return (
        f"{season},{day},{flags},{away},{home},{away_score},{home_score},"
        f"{aq},{overtime[0]},{hq},{overtime[1]},{favoured},{spread},{total},"
        f"{ml[0]},{ml[1]},2,105,0,1"
    )


def _quarters(points: int) -> str:
    base = points // 4
    return ",".join(str(base + (points - 4 * base if i == 3 else 0)) for i in range(4))


KAGGLE = "\n".join(
    [
        KAGGLE_HEADER,
        kaggle_row(2019, "2018-10-16", "phi", "bos", (87, 105), "home", "4.5", "211.5",
                   ("170", "-200")),
        kaggle_row(2019, "2018-10-17", "gs", "lac", (100, 98), "away", "1.5", "223",
                   ("-125", "105")),
        kaggle_row(2019, "2018-10-18", "sa", "no", (110, 100), "home", "0", "230",
                   ("-110", "-110")),
        kaggle_row(2019, "2018-10-19", "ny", "utah", (99, 100), "home", "9", "2100",
                   ("-650", "-650")),
        kaggle_row(2019, "2018-10-20", "wsh", "mia", (120, 118), "home", "2", "215", ("", ""),
                   overtime=(12, 10)),
        kaggle_row(2019, "2019-04-20", "bkn", "phi", (111, 131), "home", "7.5", "214",
                   ("250", "-300"), regular=False),
        kaggle_row(2018, "2017-10-17", "bos", "cle", (99, 102), "home", "4.5", "216.5",
                   ("170", "-200")),
        kaggle_row(2020, "2020-08-01", "mil", "orl", (121, 107), "away", "12.5", "225.5",
                   ("-1100", "700")),
    ]
)  # fmt: skip
