"""Fit the spring-2020 wave parameters of scenarios/sweden_spring2020.toml.

Targets (../shared/data/sweden_2020_facts.md, Svenska Intensivvårdsregistret):
national COVID ICU occupancy 55 on 20 March, ≈500 on 12 April ("over 500"),
peak 558 at the end of April, ≈500 on 8 May ("below 500"), ≈400 on 15 May
("below 400"), 295 on 6 June; Stockholm 168 on 5 April, 218 on 14 April,
peak ≈230. Stockholm has its own wave (peak 230 fixed); the other 20 regions
share one wave whose peak per 100,000 inhabitants is fitted.

Run: .venv/bin/python tools/fit_waves.py   (prints the TOML values)
"""

import datetime as dt

import numpy as np
from scipy.optimize import least_squares

from sim.data import regions
from sim.demand import wave_curve

START = dt.date(2020, 3, 1)
NATIONAL = {
    dt.date(2020, 3, 20): 55,
    dt.date(2020, 4, 12): 505,
    dt.date(2020, 4, 28): 558,
    dt.date(2020, 5, 8): 495,
    dt.date(2020, 5, 15): 395,
    dt.date(2020, 6, 6): 295,
}
STOCKHOLM = {dt.date(2020, 4, 5): 168, dt.date(2020, 4, 14): 218}
STOCKHOLM_PEAK = 230.0
NATIONAL_PEAK = 558.0


def day(d: dt.date) -> float:
    return float((d - START).days)


reg = regions()
rest_pop = reg.loc[reg.code != "stockholm", "population"].sum()


def curves(x, t):
    sp, sr, sf, rp, rr, rf, rpeak, k = x
    sthlm = STOCKHOLM_PEAK * wave_curve(t, sp, sr, sf, k)
    rest = rpeak * rest_pop / 1e5 * wave_curve(t, rp, rr, rf, k)
    return sthlm, sthlm + rest


def residuals(x):
    t_all = np.arange(0, 200, dtype=float)
    s_all, n_all = curves(x, t_all)
    res = []
    for d, v in NATIONAL.items():
        res.append(np.log(n_all[int(day(d))] / v))
    for d, v in STOCKHOLM.items():
        res.append(np.log(s_all[int(day(d))] / v))
    res.append(3 * np.log(n_all.max() / NATIONAL_PEAK))  # the peak level matters most
    res.append((t_all[n_all.argmax()] - day(dt.date(2020, 4, 28))) / 7.0)
    return np.array(res)


x0 = [45, 12, 25, 58, 15, 25, 3.0, 2.0]
fit = least_squares(residuals, x0, bounds=([30, 3, 5, 40, 3, 5, 0.1, 1.0], [70, 40, 80, 80, 40, 80, 10, 6.0]))
sp, sr, sf, rp, rr, rf, rpeak, k = fit.x
print("fall_shape", round(k, 2))
t = np.arange(0, 122, dtype=float)
s, n = curves(fit.x, t)
print("stockholm peak_date", START + dt.timedelta(days=round(sp)), "rise", round(sr, 1), "fall", round(sf, 1))
print(
    "rest      peak_date",
    START + dt.timedelta(days=round(rp)),
    "rise",
    round(rr, 1),
    "fall",
    round(rf, 1),
    "peak_per_100k",
    round(rpeak, 3),
)
for d, v in NATIONAL.items():
    print("national", d, v, round(n[int(day(d))]))
for d, v in STOCKHOLM.items():
    print("stockholm", d, v, round(s[int(day(d))]))
print("national peak", round(n.max()), "on", START + dt.timedelta(days=int(n.argmax())))
