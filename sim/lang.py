"""Every user-facing string of the report, figures, terminal tables and dashboard, in English and Swedish (``--lang sv``).

One catalog, keyed once: ``TEXTS`` maps a key to its English and Swedish text; ``t(key, lang, **values)``
looks it up and fills in ``{placeholders}`` (``str.format``). English (``en``) is the default
everywhere, and its texts are the ones mobsim printed before languages existed. The Swedish
texts use the terms of Swedish health care (*krislägesavtalet*, *intensivvårdsavdelning*/*IVA*,
*särskilt boende*, *hemtjänst*, *vårdskuld*, *regioner och kommuner*, *intensivvårdssjuksköterska*,
*undersköterska*, *vårdbiträde*) and the regions' own names (``sim.data.regions()``'s ``name``).

Adding a string (for a new sentence, label or heading)::

    # 1. one entry in TEXTS below, both languages, same placeholders (tests/test_lang.py checks both):
    "report.sentence.example": ("{n} staff were loaned", "{n} anställda lånades ut"),
    # 2. at the place that shows it, numbers formatted for the language:
    from sim import lang
    lang.t("report.sentence.example", language, n=lang.number(value, language))

A new indicator (``sim.indicators.register``, or a lever's ``IndicatorSpec``) needs its Swedish title and
unit in ``INDICATORS_SV`` (a wave family by its ``{k}`` name); tests/test_lang.py names any that lacks one.
A user's own indicator may add its Swedish text at run time with ``add_indicator``. Where no Swedish
text exists, the English one is shown.

Numbers and dates in Swedish follow the Swedish conventions (Språkrådet): decimal comma, a
no-break space between thousands and before "%" (``12,5 %``, ``1 234``), the minus sign "−", and
dates as "2 april 2020". ``number``, ``percent`` and ``date`` do this with a few lines of code on
top of ``sim.text.fmt_number``, so that English and Swedish round alike; Babel (CLDR) would add a
dependency and its locale data for these four rules. In English they return what ``sim.text`` does
(and ISO dates), unchanged.

Messages of ``validate``, errors and progress bars stay in English (they are quoted in issues and
searched for); ``--lang`` changes the report, figures, the tables of ``run``, ``compare`` and ``sweep``
and the dashboard.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import string
from typing import Any

from sim.text import MISSING, fmt_number

#: The languages, the default first.
LANGS: tuple[str, ...] = ("en", "sv")
DEFAULT = "en"
#: The no-break space of Swedish numbers ("1 234", "12,5 %").
NBSP = "\u00a0"
MINUS = "\u2212"

MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december")
MONTHS_SV_SHORT = ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec")

# --------------------------------------------------------------------------- the catalog: key -> (English, Swedish)
TEXTS: dict[str, tuple[str, str]] = {
    # ----- report: titles, headings, meta
    "report.title.run": ("Scenario {name}", "Scenario {name}"),
    "report.title.compare": ("Strategies compared: {names}", "Strategier jämförda: {names}"),
    "report.title.sweep": ("Experiment {name}", "Experiment {name}"),
    "report.document_title": ("mobsim report: {title}", "mobsim-rapport: {title}"),
    "report.meta": (
        "mobsim {version} report of {path} ({kind}), made {created}.",
        "mobsim {version}, rapport över {path} ({kind}), skapad {created}.",
    ),
    "report.pdf_meta": ("mobsim {version} report of {path}", "mobsim {version}, rapport över {path}"),
    "report.kind.run": ("run", "körning"),
    "report.kind.compare": ("compare", "jämförelse"),
    "report.kind.sweep": ("sweep", "experiment"),
    "report.heading.key_numbers": ("Key numbers", "Nyckeltal"),
    "report.heading.figures": ("Figures", "Figurer"),
    "report.heading.tables": ("Tables", "Tabeller"),
    "report.heading.provenance": ("Scenario and provenance", "Scenario och ursprung"),
    "report.scenario_resolved": ("Scenario (resolved values)", "Scenario (värdena som användes)"),
    "report.manifest": ("Manifest", "Manifest"),
    # ----- report: figure captions
    "caption.coverage_national": (
        "National COVID ICU load and ICU nurses on duty per patient.",
        "Covid-19-patienter på IVA i hela landet och intensivvårdssjuksköterskor i tjänst per patient.",
    ),
    "caption.coverage_regions": (
        "ICU nurses per ICU patient in each region (largest first).",
        "Intensivvårdssjuksköterskor per IVA-patient i varje region (största först).",
    ),
    "caption.regional_admissions": (
        "Each region's observed weekly ICU admissions against the simulated admissions and COVID ICU occupancy ({strategy}).",
        "Varje regions observerade IVA-inskrivningar per vecka mot de simulerade inskrivningarna och covid-19-patienterna på IVA ({strategy}).",
    ),
    "caption.hours_by_unit_kind": (
        "Required and supplied hours by unit kind ({strategy}).",
        "Behövda och utförda arbetstimmar per typ av enhet ({strategy}).",
    ),
    "caption.staff_by_status": ("Staff by status ({strategy}).", "Personal efter status ({strategy})."),
    "caption.fatigue_heatmap": ("Mean fatigue by region and week ({strategy}).", "Medeltrötthet per region och vecka ({strategy})."),
    "caption.loan_map": (
        "Loans between regions and pool arrivals ({strategy}).",
        "Lån av personal mellan regioner och ankomster från den nationella poolen ({strategy}).",
    ),
    "caption.nursing_homes": (
        "Nursing homes with an outbreak and infected residents.",
        "Särskilda boenden med utbrott och smittade boende.",
    ),
    "caption.care_debt": ("Planned operations and the care debt they leave.", "Planerade operationer och vårdskulden de lämnar efter sig."),
    "caption.strategy_comparison": (
        "Paired differences from {reference} with 95 % intervals.",
        "Parvisa skillnader mot {reference} med 95 %-intervall.",
    ),
    "caption.response_curves": (
        "Indicators against the varied parameters (mean and 95 % interval per design point).",
        "Indikatorerna mot de varierade parametrarna (medelvärde och 95 %-intervall per försökspunkt).",
    ),
    "caption.sensitivity": ("Sensitivity indices with 95 % intervals.", "Känslighetsindex med 95 %-intervall."),
    # ----- report: tables
    "table.run_summary": ("Summary of the run", "Sammanfattning av körningen"),
    "table.comparison": (
        "Comparison: mean, 95 % interval and paired difference from the reference",
        "Jämförelse: medelvärde, 95 %-intervall och parvis skillnad mot referensen",
    ),
    "table.regions": ("Regions, worst first", "Regioner, sämst först"),
    "table.regions_compare": (
        "Regions, worst first: mean [95 % interval] over replications",
        "Regioner, sämst först: medelvärde [95 %-intervall] över replikaten",
    ),
    # ----- the regions' table (sim.regional.TITLES in English)
    "regions.unsafe_icu_patient_days": ("Unsafe ICU patient-days", "Osäkra IVA-vårddygn"),
    "regions.icu_patient_days": ("ICU patient-days", "IVA-vårddygn"),
    "regions.worst_week_icu_nurses_per_patient": ("Worst week: ICU nurses per patient", "Sämsta veckan: IVA-sjuksköterskor per patient"),
    "regions.worst_week_start": ("Worst week from", "Sämsta veckan från"),
    "regions.worst_week_iso": ("Worst ISO week", "Sämsta ISO-veckan"),
    "regions.crisis_days": ("Crisis days", "Dagar i kris"),
    "regions.staff_loaned_in": ("Staff loaned in", "Personal inlånad"),
    "regions.staff_loaned_out": ("Staff loaned out", "Personal utlånad"),
    "regions.staff_days_loaned_in": ("Staff-days loaned in", "Personaldagar inlånade"),
    "regions.staff_days_loaned_out": ("Staff-days loaned out", "Personaldagar utlånade"),
    "regions.pool_arrivals": ("Pool arrivals", "Ankomster från poolen"),
    "regions.pool_member_days": ("Pool member-days", "Poolmedlemsdagar"),
    "regions.peak_sick_share": ("Peak sick share", "Högsta sjukfrånvaro"),
    "regions.staff_lost": ("Staff lost", "Personal som slutat"),
    "regions.care_debt_end_operations": ("Care debt at end (operations)", "Vårdskuld vid slutet (operationer)"),
    "regions.fatigue_mean_end": ("Fatigue at end", "Trötthet vid slutet"),
    "regions.icu_staff_fatigue_end": ("ICU staff fatigue at end", "IVA-personalens trötthet vid slutet"),
    "regions.client_deaths": ("Home-care client deaths", "Avlidna hemtjänsttagare"),
    "regions.missed_home_care_visits": ("Missed home-care visits", "Uteblivna hemtjänstbesök"),
    "regions.strategy": ("Strategy", "Strategi"),
    "regions.region": ("Region", "Region"),
    "table.sweep_means": ("Mean of each indicator per design point", "Medelvärde av varje indikator per försökspunkt"),
    "table.sensitivity": ("Sensitivity indices", "Känslighetsindex"),
    # column headers of the report's tables (a column without an entry keeps its name: parameters are scenario keys)
    "column.title": ("title", "indikator"),
    "column.value": ("value", "värde"),
    "column.unit": ("unit", "enhet"),
    "column.strategy": ("strategy", "strategi"),
    "column.indicator": ("indicator", "indikator"),
    "column.mean": ("mean", "medelvärde"),
    "column.ci_low": ("ci_low", "95 %-intervall, nedre"),
    "column.ci_high": ("ci_high", "95 %-intervall, övre"),
    "column.diff_mean": ("diff_mean", "skillnad, medel"),
    "column.diff_low": ("diff_low", "skillnad, nedre"),
    "column.diff_high": ("diff_high", "skillnad, övre"),
    "column.parameter": ("parameter", "parameter"),
    "column.method": ("method", "metod"),
    "column.note": ("note", "anmärkning"),
    "column.variant": ("variant", "variant"),
    "column.point_id": ("point_id", "punkt"),
    "column.runs": ("runs", "körningar"),
    # ----- report: key-number sentences of a run
    "sentence.run.scale": (
        " at world.scale {scale} (counts are that share of Sweden's)",
        " i skala {scale} (world.scale: antalen är den andelen av Sveriges)",
    ),
    "sentence.run.identity": (
        "{scenario}, seed {seed}, {days} days, {staff} staff{scale}.",
        "{scenario}, slumpfrö {seed}, {days} dagar, {staff} anställda{scale}.",
    ),
    "sentence.run.icu": (
        "COVID-19 ICU patients peaked at {peak} on {date}; nationally the ICUs had at worst {coverage} % of the ICU-nurse hours they needed, "
        "and the worst region-week {worst}. {unsafe} ICU patient-days were beyond the minimum ratio of 1:{ratio} and {diluted} "
        "were not covered one-to-one by a specialist ICU nurse.",
        "Antalet covid-19-patienter på IVA nådde sin topp, {peak}, den {date}; i hela landet hade intensivvårdsavdelningarna som "
        "sämst {coverage} % av de IVA-sjukskötersketimmar de behövde, och den sämsta regionveckan {worst} IVA-sjuksköterskor per patient. {unsafe} IVA-vårddygn låg under "
        "lägsta bemanningskvot 1:{ratio} och {diluted} täcktes inte en-till-en av en intensivvårdssjuksköterska.",
    ),
    "sentence.run.beds": (
        "At most {beds} ICU beds were open; {open} ICU patient-days were above the open beds and {staffed} above the staffed beds "
        "(beds whose nurses could give the minimum ratio).",
        "Som mest var {beds} IVA-platser öppna; {open} IVA-vårddygn låg över de öppna vårdplatserna och {staffed} över de bemannade "
        "(vårdplatser vars sjuksköterskor kunde ge lägsta bemanningskvot).",
    ),
    "sentence.run.staff": (
        "At the peak {sick} % of staff were off sick; {lost} left the profession; ICU staff fatigue at the end was {fatigue} "
        "(0 rested, 1 exhausted).",
        "Som mest var {sick} % av personalen sjukskrivna; {lost} lämnade yrket; IVA-personalens trötthet vid slutet var {fatigue} "
        "(0 utvilad, 1 utmattad).",
    ),
    "sentence.run.levers": (
        "Planned operations in April changed by {april} %; the care debt at the end was {debt} operations. {crisis} regions were "
        "in crisis at once; {loaned} staff were loaned between regions ({recalled} recalled by their lender) and {pool} pool "
        "members deployed.",
        "De planerade operationerna i april ändrades med {april} %; vårdskulden vid slutet var {debt} operationer. {crisis} regioner "
        "var i krisläge samtidigt; {loaned} anställda lånades ut mellan regioner ({recalled} kallades tillbaka av sin region) och "
        "{pool} medlemmar av den nationella poolen sändes ut.",
    ),
    "sentence.run.transfers": (
        "At most {beds} ICU beds were open; {open} ICU patient-days were above the open beds and {staffed} above the staffed beds "
        "(open beds the ICU nurses could give the minimum ratio); {moved} ICU patients were moved to another region's ICU.",
        "Som mest var {beds} IVA-platser öppna; {open} IVA-vårddygn låg över de öppna vårdplatserna och {staffed} över de bemannade "
        "(öppna vårdplatser som intensivvårdssjuksköterskorna kunde ge lägsta bemanningskvot); {moved} IVA-patienter flyttades "
        "till en annan regions IVA.",
    ),
    "sentence.run.homes": (
        "{homes} nursing homes ({share} %) had an outbreak; {residents} residents were infected, {introductions} times brought in by staff.",
        "{homes} särskilda boenden ({share} %) hade ett utbrott; {residents} boende smittades, {introductions} gånger fördes smittan "
        "in av personal.",
    ),
    "sentence.run.home_care": (
        "{clients} home-care clients were infected and {deaths} died; {missed} planned home-care visits ({share} %) were missed "
        "for want of staff.",
        "{clients} hemtjänsttagare smittades och {deaths} avled; {missed} planerade hemtjänstbesök ({share} %) uteblev i brist på "
        "personal.",
    ),
    "sentence.run.cost": (
        "Cost above normal payroll: {total} MSEK (overtime {overtime}, crisis pay {crisis}, temps {temps}, pool {pool}, patient "
        "transfers {transfers}, travel and lodging {travel}).",
        "Kostnad utöver ordinarie lön: {total} mnkr (övertid {overtime}, ersättning enligt krislägesavtalet {crisis}, rekryterade "
        "{temps}, nationella poolen {pool}, patientflyttar {transfers}, resor och logi {travel}).",
    ),
    "sentence.run.fatigue": (
        "Fatigue cost {lost} hours of care (the extra hours tired staff could no longer be asked to work); {share} % of ICU care "
        "hours were given by fatigued staff, {risk} ICU patient-days of excess error risk (ICU patient-days times the excess odds "
        "of an error in their care).",
        "Tröttheten kostade {lost} vårdtimmar (de extra timmar som trött personal inte längre kunde åläggas); {share} % av "
        "IVA-vårdtimmarna gavs av trött personal, {risk} IVA-vårddygn förhöjd felrisk (IVA-vårddygn gånger de förhöjda oddsen "
        "för fel i deras vård).",
    ),
    "sentence.run.response": (
        "Cost of the response (above the same run in a normal year without COVID, same seed): {response} MSEK, of which overtime "
        "{overtime}; the other {normal} MSEK above payroll a normal year pays too (ordinary overtime).",
        "Insatsens kostnad (utöver samma körning ett normalår utan covid-19, samma slumpfrö): {response} mnkr, varav övertid "
        "{overtime}; övriga {normal} mnkr utöver ordinarie lön betalas även ett normalår (vanlig övertid).",
    ),
    # ----- report: sentences of a comparison
    "sentence.compare.design": (
        "{n} strategies, {replications} replications each with common random numbers (replication r of every strategy uses the "
        "same seed); differences are paired, from {reference}, with 95 % intervals.",
        "{n} strategier, {replications} replikat vardera med gemensamma slumptal (replikat r av varje strategi har samma "
        "slumpfrö); skillnaderna är parvisa, mot {reference}, med 95 %-intervall.",
    ),
    "sentence.compare.scale": ("{note} for counts and money (shares as they are).", "{note} för antal och kostnader (andelar som de är)."),
    "sentence.compare.identical": (
        "Every indicator is the same for every strategy in every replication (all paired differences are 0): in this period and "
        "world the strategies do not act differently from {reference}.",
        "Varje indikator är densamma för varje strategi i varje replikat (alla parvisa skillnader är 0): under den här perioden och "
        "i den här världen verkar strategierna inte annorlunda än {reference}.",
    ),
    "sentence.compare.none": (
        "{strategy}: no indicator differs clearly from {reference}.",
        "{strategy}: ingen indikator skiljer sig tydligt från {reference}.",
    ),
    "sentence.compare.better": (" (better)", " (bättre)"),
    "sentence.compare.worse": (" (worse)", " (sämre)"),
    # ----- report: sentences of a sweep
    "sentence.sweep.design": (
        "Experiment {name}: {design} design, {points} points × {replications} replications = {runs} runs; {done} finished, "
        "{failed} failed; varied: {varied}.",
        "Experiment {name}: {design}-design, {points} punkter × {replications} replikat = {runs} körningar; {done} klara, "
        "{failed} misslyckade; varierat: {varied}.",
    ),
    "sentence.sweep.variants": ("variants", "varianter"),
    "sentence.sweep.indicator": (
        "{indicator}: point means from {low} to {high}; {where} at {values}.",
        "{indicator}: punkternas medelvärden från {low} till {high}; {where} vid {values}.",
    ),
    "sentence.sweep.highest": ("highest", "högst"),
    "sentence.sweep.lowest": ("lowest", "lägst"),
    "sentence.sweep.best": (" (best)", " (bäst)"),
    "sentence.sweep.sobol": (
        "{indicator}: largest total Sobol index {parameter} (ST {st} ± {conf}).",
        "{indicator}: störst totalt Sobolindex har {parameter} (ST {st} ± {conf}).",
    ),
    # ----- figures: shared notes
    "figure.scale_note": (
        " (at scale {scale}; full-scale equivalent ≈ ×{factor})",
        " (i skala {scale}; i full skala ≈ ×{factor})",
    ),
    "figure.at_full_scale": ("(≈ {value} at full scale)", "(≈ {value} i full skala)"),
    "figure.full_scale_count": (", ≈ {value} at full scale", ", ≈ {value} i full skala"),
    "figure.band_note": (
        "lines: mean of {n} replications; bands: middle 95 % of replications",
        "linjer: medelvärde av {n} replikat; band: de mittersta 95 % av replikaten",
    ),
    "figure.one_replication_note": (
        "one replication (run `mobsim compare` with --replications for uncertainty bands)",
        "ett replikat (kör `mobsim compare` med --replications för osäkerhetsband)",
    ),
    "figure.mean_of": ("mean of {n} replications", "medelvärde av {n} replikat"),
    "figure.one_replication": ("one replication", "ett replikat"),
    "figure.mean_per_replication": ("mean per replication", "medelvärde per replikat"),
    # coverage_national
    "figure.coverage.minimum": ("minimum ratio 1:{ratio}", "lägsta kvot 1:{ratio}"),
    "figure.coverage.load_title": ("COVID-19 patients in ICU, Sweden", "Covid-19-patienter på IVA, Sverige"),
    "figure.coverage.patients": ("patients", "patienter"),
    "figure.coverage.model_scale": (" (model scale)", " (modellens skala)"),
    "figure.coverage.ratio_title": (
        "ICU nurses on duty per ICU patient, Sweden",
        "Intensivvårdssjuksköterskor i tjänst per IVA-patient, Sverige",
    ),
    "figure.coverage.ratio_label": ("nurses per patient (effective)", "sjuksköterskor per patient (effektiva)"),
    "figure.coverage.title": ("ICU load and nurse coverage — {title}{scale}", "IVA-belastning och sjuksköterskebemanning — {title}{scale}"),
    # coverage_regions
    "figure.regions.ylabel": ("nurses / patient", "sjuksköterskor / patient"),
    "figure.regions.title": (
        "ICU nurses per ICU patient by region (dashed: minimum ratio) — {title}\n{note}",
        "Intensivvårdssjuksköterskor per IVA-patient och region (streckad: lägsta kvot) — {title}\n{note}",
    ),
    # regional_admissions
    "figure.admissions.ylabel": ("per week / patients", "per vecka / patienter"),
    "figure.admissions.observed": (
        "observed ICU admissions per week (Folkhälsomyndigheten, SIR)",
        "observerade IVA-inskrivningar per vecka (Folkhälsomyndigheten, SIR)",
    ),
    "figure.admissions.simulated": ("simulated ICU admissions per week", "simulerade IVA-inskrivningar per vecka"),
    "figure.admissions.occupancy": ("simulated COVID ICU patients (occupancy)", "simulerade covid-19-patienter på IVA (beläggning)"),
    "figure.admissions.full_scale": ("full scale", "full skala"),
    "figure.admissions.full_scale_divided": (
        "full scale (model counts ÷ world.scale {scale})",
        "full skala (modellens antal ÷ world.scale {scale})",
    ),
    "figure.admissions.title": (
        "COVID-19 ICU admissions and occupancy by region — {strategy}, {note}\n{bands}",
        "Covid-19-inskrivningar och beläggning på IVA per region — {strategy}, {note}\n{bands}",
    ),
    # hours_by_unit_kind
    "figure.hours.gap": ("gap", "underskott"),
    "figure.hours.required": ("required", "behövda"),
    "figure.hours.supplied": ("supplied", "utförda"),
    "figure.hours.ylabel": ("hours per day", "timmar per dag"),
    "figure.hours.title": (
        "Required and supplied hours by unit kind, Sweden — {strategy}{scale}",
        "Behövda och utförda arbetstimmar per typ av enhet, Sverige — {strategy}{scale}",
    ),
    # staff_by_status
    "figure.status.all": ("All staff", "All personal"),
    "figure.status.away": ("Staff not at work or available", "Personal som inte är i arbete eller tillgänglig"),
    "figure.status.ylabel": ("staff", "anställda"),
    "figure.status.title": (
        "Staff by status, Sweden — {strategy} ({note}){scale}",
        "Personal efter status, Sverige — {strategy} ({note}){scale}",
    ),
    # icu_staff_at_work
    "figure.icu_staff.active": ("crisis agreement active", "krislägesavtalet aktiverat"),
    "figure.icu_staff.full_scale": ("full scale", "full skala"),
    "figure.icu_staff.scaled": ("scale {scale}: × {factor} for Sweden's numbers", "skala {scale}: × {factor} för Sveriges antal"),
    "figure.icu_staff.title": ("ICU staff by status, {region} ({shown})", "IVA-personal efter status, {region} ({shown})"),
    # fatigue_heatmap
    "figure.fatigue.all": ("All staff", "All personal"),
    "figure.fatigue.icu": ("ICU nurses and physicians", "Intensivvårdssjuksköterskor och IVA-läkare"),
    "figure.fatigue.week": ("week starting", "veckan som börjar"),
    "figure.fatigue.colorbar": ("mean fatigue (0 rested – 1 exhausted)", "medeltrötthet (0 utvilad – 1 utmattad)"),
    "figure.fatigue.title": ("Fatigue by region and week — {strategy} ({note})", "Trötthet per region och vecka — {strategy} ({note})"),
    # nursing_home_outbreaks, care_debt
    "figure.homes.outbreaks": ("Nursing homes with an outbreak", "Särskilda boenden med utbrott"),
    "figure.homes.homes": ("homes", "boenden"),
    "figure.homes.infected": ("Residents infected (current)", "Smittade boende (just nu)"),
    "figure.homes.residents": ("residents", "boende"),
    "figure.homes.title": ("Nursing homes, Sweden", "Särskilda boenden, Sverige"),
    "figure.care.operations": ("Planned operations per day", "Planerade operationer per dag"),
    "figure.care.unit": ("operations", "operationer"),
    "figure.care.debt": ("Care debt: operations postponed", "Vårdskuld: uppskjutna operationer"),
    "figure.care.title": ("Planned care and care debt, Sweden", "Planerad vård och vårdskuld, Sverige"),
    "figure.pair.title": ("{title} — {runs}{scale}", "{title} — {runs}{scale}"),
    # loan_map
    "figure.loans.staff_days": ("loans: {total} staff-days (largest {top})", "lån: {total} personaldagar (största {top})"),
    "figure.loans.none": ("no loans between regions", "inga lån mellan regioner"),
    "figure.loans.pool": ("pool: {total} member-days received", "poolen: {total} medlemsdagar mottagna"),
    "figure.loans.no_pool": ("no pool deployments", "inga utsända från poolen"),
    "figure.loans.border": ("border (land)", "gräns (land)"),
    "figure.loans.sea": ("sea link", "sjöförbindelse"),
    "figure.loans.title": (
        "Help between regions — {strategy}\n(arrow width: staff-days on loan, {per})",
        "Hjälp mellan regioner — {strategy}\n(pilens bredd: personaldagar på lån, {per})",
    ),
    # strategy_comparison, response_curves, sensitivity_indices
    "figure.comparison.title": (
        "Paired difference from {reference} with 95 % interval (common random numbers)",
        "Parvis skillnad mot {reference} med 95 %-intervall (gemensamma slumptal)",
    ),
    "figure.response.title": (
        "Response of the indicators to the varied parameters (mean and 95 % interval over replications)",
        "Indikatorernas svar på de varierade parametrarna (medelvärde och 95 %-intervall över replikaten)",
    ),
    "figure.sensitivity.s1": ("S1 (first order)", "S1 (första ordningen)"),
    "figure.sensitivity.st": ("ST (total)", "ST (totalt)"),
    "figure.sensitivity.sobol": ("Sobol index", "Sobolindex"),
    "figure.sensitivity.mu_star": ("μ* (mean |effect|)", "μ* (medel av |effekt|)"),
    "figure.sensitivity.sigma": ("σ (interactions, non-linearity)", "σ (samspel, icke-linjäritet)"),
    "figure.sensitivity.morris": ("Morris elementary effect", "Morris elementära effekt"),
    "figure.sensitivity.title": (
        "Sensitivity of the indicators to the uncertain parameters (error bars: 95 % intervals)",
        "Indikatorernas känslighet för de osäkra parametrarna (felstaplar: 95 %-intervall)",
    ),
    # staff statuses (sim.figures.STATUS_STYLES), ICU staff statuses (ICU_STAFF_STATUSES)
    "status.n_active": ("at work or available", "i arbete eller tillgänglig"),
    "status.n_off_duty": ("on vacation or resting", "på semester eller vilar"),
    "status.n_training": ("in training (courses, onboarding)", "i utbildning (kurser, introduktion)"),
    "status.n_sick_other": ("sick, other causes", "sjuk, andra orsaker"),
    "status.n_sick_covid": ("sick, COVID-19", "sjuk, covid-19"),
    "status.n_sick_exhaustion": ("sick, exhaustion", "sjuk, utmattning"),
    "status.n_left": ("left the profession", "lämnat yrket"),
    "status.n_reserve": ("recruits in reserve", "rekryterade i reserv"),
    "icu_status.own": ("own ICU staff and others at work", "egen IVA-personal och andra i arbete"),
    "icu_status.trained": (
        "ICU-upskilled (support nurses and assistants with ICU teams)",
        "snabbutbildade (stödsjuksköterskor och undersköterskor i IVA-team)",
    ),
    "icu_status.on_loan": ("on loan from other regions", "inlånade från andra regioner"),
    "icu_status.pool": ("national pool members", "medlemmar av den nationella poolen"),
    "icu_status.resting": ("resting after a crisis-agreement placement", "vilar efter placering enligt krislägesavtalet"),
    # unit kinds (sim.categories.UNIT_KINDS)
    "unit_kind.icu": ("icu", "intensivvårdsavdelning (IVA)"),
    "unit_kind.covid_ward": ("covid ward", "covidavdelning"),
    "unit_kind.acute_ward": ("acute ward", "akutvårdsavdelning"),
    "unit_kind.elective": ("elective", "planerad vård"),
    "unit_kind.primary_care": ("primary care", "primärvård"),
    "unit_kind.nursing_home": ("nursing home", "särskilt boende"),
    "unit_kind.home_care": ("home care", "hemtjänst"),
    # professions (sim.categories.PROFESSIONS), for tables and labels
    "profession.physician": ("physician", "läkare"),
    "profession.icu_physician": ("ICU physician", "IVA-läkare (anestesiolog)"),
    "profession.icu_nurse": ("ICU nurse", "intensivvårdssjuksköterska"),
    "profession.anaesthesia_nurse": ("anaesthesia nurse", "anestesisjuksköterska"),
    "profession.registered_nurse": ("registered nurse", "sjuksköterska"),
    "profession.assistant_nurse": ("assistant nurse", "undersköterska"),
    "profession.care_aide": ("care aide", "vårdbiträde"),
    # employers
    "employer.region": ("region", "region"),
    "employer.municipality": ("municipality", "kommun"),
    # ----- terminal tables (mobsim run, compare, sweep)
    "cli.run.title": (
        "{name} · seed {seed} · {staff} staff employed · {days} days",
        "{name} · slumpfrö {seed} · {staff} anställda · {days} dagar",
    ),
    "cli.column.indicator": ("indicator", "indikator"),
    "cli.column.value": ("value", "värde"),
    "cli.column.unit": ("unit", "enhet"),
    "cli.column.region": ("region", "region"),
    "cli.column.full_scale": ("≈ Sweden", "≈ Sverige"),
    "table.full_scale": ("full scale ≈", "full skala ≈"),
    "cli.not_in_period": ("not in this period", "inte i perioden"),
    "cli.no_window": ("(no {window} in the run)", "({window} ingår inte i körningen)"),
    "cli.scale_note": ("at scale {scale}; full-scale equivalent ≈ ×{factor}", "i skala {scale}; i full skala ≈ ×{factor}"),
    "cli.regions.title": ("Regions, worst first · {what}", "Regioner, sämst först · {what}"),
    "cli.regions.means": ("{strategy}, means over replications", "{strategy}, medelvärden över replikaten"),
    "cli.regions.per_region": ("per region", "per region"),
    "cli.regions.caption": (
        "unsafe ICU pd: patient-days beyond the minimum nurse ratio; worst week: ICU nurses per patient, ISO week; "
        "loaned: staff loaned in/out; pool: arrivals; care debt: postponed operations at the end",
        "osäkra IVA-vd: vårddagar utan tillräcklig bemanning; sämsta vecka: IVA-sjuksköterskor per patient, ISO-vecka; "
        "lånade: personal lånad in/ut; pool: ankomster; vårdskuld: uppskjutna operationer vid slutet",
    ),
    "cli.regions.compare_title": (
        "Unsafe ICU patient-days per region, worst first: mean [95 % interval] over replications",
        "Osäkra IVA-vårddagar per region, sämst först: medelvärde [95 % intervall] över replikaten",
    ),
    "cli.regions.unsafe_icu_patient_days": ("unsafe\nICU pd", "osäkra\nIVA-vd"),
    "cli.regions.worst_week_icu_nurses_per_patient": ("worst\nweek", "sämsta\nvecka"),
    "cli.regions.crisis_days": ("crisis\ndays", "kris-\ndagar"),
    "cli.regions.staff_loaned_in": ("loaned\nin/out", "lånade\nin/ut"),
    "cli.regions.pool_arrivals": ("pool", "pool"),
    "cli.regions.peak_sick_share": ("peak\nsick", "högst\nsjuka"),
    "cli.regions.care_debt_end_operations": ("care\ndebt", "vård-\nskuld"),
    "cli.regions.icu_staff_fatigue_end": ("ICU\nfatigue", "IVA-\ntrötthet"),
    "cli.compare.seed": ("seed {seed}", "slumpfrö {seed}"),
    "cli.compare.seeds": ("seeds {first}–{last}", "slumpfrön {first}–{last}"),
    "cli.compare.means": (
        "mean [95 % interval] over {n} replication{s} ({seeds})",
        "medelvärde [95 %-intervall] över {n} replikat ({seeds})",
    ),
    "cli.compare.diffs": (
        "Δ vs {reference}: paired difference [95 % interval], same seeds",
        "Δ mot {reference}: parvis skillnad [95 %-intervall], samma slumpfrön",
    ),
    "cli.compare.caption": (
        "bold: the interval excludes 0 (green: better, red: worse, by the indicator's direction in sim.indicators)",
        "fetstil: intervallet utesluter 0 (grönt: bättre, rött: sämre, enligt indikatorns riktning i sim.indicators)",
    ),
    "cli.sweep.none": ("{name}: no finished runs", "{name}: inga klara körningar"),
    "cli.sweep.first": (" (first {limit} of {n} points)", " (de första {limit} av {n} punkter)"),
    "cli.sweep.title": ("{name}: mean over replications{more}", "{name}: medelvärde över replikaten{more}"),
    # ----- the dashboard (sim/app.py)
    "dashboard.name": ("mobsim: staff mobilisation", "mobsim: mobilisering av vårdpersonal"),
    "dashboard.scenario": ("Scenario", "Scenario"),
    "dashboard.scenario_file": ("Scenario file", "Scenariofil"),
    "dashboard.seed": ("Seed", "Slumpfrö"),
    "dashboard.lever.pool_size": ("Pool size (0 = none)", "Poolens storlek (0 = ingen)"),
    "dashboard.lever.pool_response_days": ("Pool response (days)", "Poolens svarstid (dagar)"),
    "dashboard.lever.agreement_max_weekly_hours": ("Agreement h/week", "Krislägesavtalet, tim/vecka"),
    "dashboard.lever.loan_safety_margin": ("Loan safety margin", "Säkerhetsmarginal för lån"),
    "dashboard.lever.stable_teams": ("Stable teams in nursing homes", "Fasta team på särskilda boenden"),
    "dashboard.national": ("national", "hela landet"),
    "dashboard.worst_region": ("worst region", "sämsta regionen"),
    "dashboard.safe_minimum": ("safe minimum ({threshold})", "säker miniminivå ({threshold})"),
    "dashboard.status_title": ("{title} (at work or available: {active})", "{title} (i arbete eller tillgängliga: {active})"),
    "dashboard.status_empty": ("Staff by status", "Personal efter status"),
    "dashboard.icu_staff": ("ICU staff", "IVA-personal"),
    "dashboard.icu_staff_sustained": ("ICU staff, sustained", "IVA-personal, långvarig"),
    "dashboard.all_staff": ("all staff", "all personal"),
    "dashboard.info.day": (
        "day {day} of {days} ({date}) · {staff} staff at scale {scale} · seed {seed}",
        "dag {day} av {days} ({date}) · {staff} anställda i skala {scale} · slumpfrö {seed}",
    ),
    "dashboard.info.pool": ("national pool: {pool}", "nationella poolen: {pool}"),
    "dashboard.info.pool_members": ("{size} members, response {days} days", "{size} medlemmar, svarstid {days} dagar"),
    "dashboard.info.none": ("none", "ingen"),
    "dashboard.info.levers": (
        "crisis agreement: {hours} h a week · loans: safety margin {margin} · stable teams in nursing homes: {teams}",
        "krislägesavtalet: {hours} tim i veckan · lån: säkerhetsmarginal {margin} · fasta team på särskilda boenden: {teams}",
    ),
    "dashboard.info.on": ("on", "på"),
    "dashboard.info.off": ("off", "av"),
    "dashboard.info.levers_on": ("levers on: {levers}", "åtgärder i bruk: {levers}"),
}

# --------------------------------------------------------------------------- indicators: Swedish title and unit
#: Swedish (title, unit) of every registered indicator (``sim.indicators``), wave families by their ``{k}`` name.
INDICATORS_SV: dict[str, tuple[str, str]] = {
    "scenario": ("Scenario", ""),
    "seed": ("Slumpfrö", ""),
    "scale": ("Skala (world.scale)", "andel av Sverige"),
    "days": ("Dagar", "dagar"),
    "staff_employed": ("Anställd personal", "anställda"),
    "staff_in_reserve": ("Personal i reserv", "personer"),
    "graduates_started": ("Nyexaminerade som börjat arbeta", "personer"),
    "licensed_started": ("Legitimerade från utlandet som börjat arbeta", "personer"),
    "staff_retired": ("Pensionerad personal", "personer"),
    "staff_left_supply": ("Personal som lämnat yrket (utbudssidan)", "personer"),
    "staff_employed_end": ("Anställd personal vid slutet", "anställda"),
    "investment_msek": ("Investering i beredskap", "Mkr"),
    "training_places_added": ("Extra antagna studenter", "studenter"),
    "training_places_cost_sek": ("Kostnad för extra utbildningsplatser", "kronor"),
    "vfu_places_added": ("Extra VFU-platsår", "platsår"),
    "specialist_places_added": ("Finansierade specialistutbildningsplatser", "studenter"),
    "specialist_training_cost_sek": ("Kostnad för betald specialistutbildning", "kronor"),
    "specialists_started": ("Sjuksköterskor som börjat specialistutbildning", "personer"),
    "specialists_completed": ("Specialistsjuksköterskor färdigutbildade", "personer"),
    "specialist_salary_sek": ("Lön under specialistutbildning", "kronor"),
    "vfu_agreements_cost_sek": ("Kostnad för VFU-avtal", "kronor"),
    "pool_unfilled_members_end": ("Poolplatser som lagren inte fyllde, vid slutet", "medlemmar"),
    "pool_unfilled_members_peak": ("Poolplatser som lagren inte fyllde, flest", "medlemmar"),
    "retention_staff_covered_end": ("Personal som omfattas av behållandeåtgärder", "anställda"),
    "retention_cost_sek": ("Kostnad för att behålla personal", "kronor"),
    "short_course_participants": ("Deltagare i korta kurser", "personer"),
    "short_course_competence_lapsed": ("Kompetens från korta kurser som förfallit", "personer"),
    "short_course_cost_sek": ("Kostnad för korta kurser", "kronor"),
    "reserves_roster_end": ("Reservlistan vid slutet", "personer"),
    "reserves_roster_peak": ("Reservlistan, högst", "personer"),
    "reserves_refreshed_share_end": ("Andel av reserven med giltig repetitionsutbildning vid slutet", "andel"),
    "reserves_called": ("Inkallade reservister", "inkallelser"),
    "reserves_retiree_hours": ("Timmar av inkallade pensionärer", "timmar"),
    "reserves_cost_sek": ("Reservens kostnad", "kronor"),
    "unsafe_icu_patient_days": ("Osäker IVA-vård", "vårddygn under lägsta bemanningskvot"),
    "peak_covid_icu_patients": ("Flest covid-19-patienter på IVA", "patienter"),
    "peak_covid_icu_date": ("Dag för IVA-toppen", ""),
    "min_icu_nurse_coverage": ("Lägsta täckning av intensivvårdssjuksköterskor", "utförda / behövda timmar"),
    "diluted_icu_patient_days": ("IVA-vård av icke-specialister", "IVA-vårddygn utan egen intensivvårdssjuksköterska"),
    "icu_patient_days_tier{k}": ("IVA-vårddygn på nivå {k}", "vårddygn"),
    "icu_patient_days_uncovered": ("IVA-patienter utan intensivvårdssjuksköterska", "vårddygn"),
    "icu_patient_days_beyond_guidance": ("IVA-vård utöver riktlinjerna", "vårddygn"),
    "icu_patient_days_above_staffed_beds": ("IVA-patienter utöver bemannade vårdplatser", "vårddygn"),
    "icu_patient_days_above_open_beds": ("IVA-patienter utöver öppna vårdplatser", "vårddygn"),
    "icu_beds_open_max": ("Flest öppna IVA-platser", "vårdplatser"),
    "worst_region_icu_nurse_ratio": ("Sämsta regionvecka", "intensivvårdssjuksköterskor per patient"),
    "peak_gap_hours": ("Största vårdgap (timmar)", "timmar"),
    "peak_gap_share": ("Största vårdgap", "andel av behövda timmar"),
    "peak_sick_share": ("Högsta sjukfrånvaro", "andel av personalen"),
    "staff_lost": ("Förlorad personal", "anställda som lämnat yrket"),
    "icu_staff_fatigue_end": ("IVA-personalens trötthet vid slutet", "trötthet (0–1)"),
    "icu_staff_sustained_fatigue_end": ("IVA-personalens långvariga trötthet vid slutet", "trötthet (0–1)"),
    "capacity_lost_to_fatigue_hours": ("Kapacitet förlorad genom trötthet", "effektiva timmar"),
    "icu_capacity_lost_to_fatigue_hours": ("IVA-kapacitet förlorad genom trötthet", "effektiva timmar"),
    "fatigued_icu_care_share": ("IVA-vård given av trött personal", "andel av IVA-vårdtimmarna"),
    "fatigue_error_icu_patient_days": ("Trötthetsrelaterad felrisk på IVA", "IVA-vårddygn × förhöjd felodds"),
    "fatigue_mean_end": ("Medeltrötthet vid slutet", "trötthet (0–1)"),
    "fatigue_p90_end": ("Trötthet, 90:e percentilen, vid slutet", "trötthet (0–1)"),
    "homes_with_outbreak": ("Särskilda boenden med utbrott", "boenden"),
    "homes_with_outbreak_share": ("Andel särskilda boenden med utbrott", "andel av boendena"),
    "nursing_home_introductions": ("Smitta förd in i boenden av personal", "smittintroduktioner"),
    "resident_infections": ("Smittade boende på särskilda boenden", "smittade boende"),
    "client_infections": ("Smittade hemtjänsttagare", "smittade hemtjänsttagare"),
    "client_deaths": ("Avlidna hemtjänsttagare", "hemtjänsttagare"),
    "missed_home_care_visits": ("Uteblivna hemtjänstbesök", "besök"),
    "missed_home_care_visit_share": ("Andel uteblivna hemtjänstbesök", "andel av planerade besök"),
    "cooperation_staff_moved": ("Personal utlånad mellan boenden i samma kluster", "flyttade anställda"),
    "cooperation_staff_days": ("Persondagar utlånade mellan boenden", "persondagar"),
    "mobile_team_nurse_days": ("Mobila teamens sjuksköterskedagar i kommunal vård", "sjuksköterskedagar"),
    "licensed_nurses_added": ("Sjuksköterskor tillförda kommunal vård", "sjuksköterskor"),
    "resident_deaths": ("Avlidna boende på särskilda boenden", "avlidna boende"),
    "resident_missed_care_hours": ("Utebliven vård på särskilda boenden", "vårdtimmar"),
    "delegated_medication_share": ("Delegerade läkemedelsrundor", "andel av rundorna"),
    "regions_in_crisis_max": ("Regioner i krisläge samtidigt", "regioner"),
    "recruits_working_peak": ("Rekryterade i arbete, som mest", "anställda"),
    "beredskapslyftet_graduates": ("Rekryterade som gått en kurs i basal omvårdnad (beredskapslyftet)", "anställda"),
    "upskilled_in_icu_peak": ("Snabbutbildade på IVA, som mest", "anställda"),
    "elective_operations_april_change": ("Förändring av aprils operationer", "andel av en normal april"),
    "care_debt_end": ("Vårdskuld vid slutet", "uppskjutna operationer"),
    "pool_members_deployed": ("Utsända poolmedlemmar (olika personer)", "medlemmar"),
    "pool_arrivals": ("Ankomster från poolen", "ankomster"),
    "staff_loaned": ("Personal utlånad mellan regioner", "anställda"),
    "loans_recalled": ("Personal återkallad från lån", "anställda"),
    "patients_transferred": ("Flyttade IVA-patienter", "patienter"),
    "transfer_blocked_by_capacity": ("Flyttar stoppade av transportkapaciteten", "vårddygn"),
    "transfer_blocked_no_bed": ("Flyttar stoppade av brist på vårdplats", "vårddygn"),
    "cost_overtime_msek": ("Kostnad för övertid", "mnkr"),
    "cost_crisis_pay_msek": ("Kostnad för ersättning enligt krislägesavtalet", "mnkr"),
    "cost_temps_msek": ("Kostnad för rekryterade", "mnkr"),
    "cost_pool_msek": ("Kostnad för den nationella poolen", "mnkr"),
    "cost_recovery_msek": ("Kostnad för återhämtning", "mnkr"),
    "cost_banned_temps_saved_msek": ("Besparing genom stopp för timanställda", "mnkr"),
    "cost_transfers_msek": ("Kostnad för patientflyttar", "mnkr"),
    "cost_travel_msek": ("Kostnad för resor och logi", "mnkr"),
    "cost_cooperation_msek": ("Kostnad för samarbete mellan boenden", "mnkr"),
    "cost_licensed_staff_msek": ("Kostnad för fler sjuksköterskor i kommunal vård", "mnkr"),
    "cost_courses_msek": ("Kostnad för kurser i basal omvårdnad", "mnkr"),
    "cost_hygiene_training_msek": ("Kostnad för hygienutbildning", "mnkr"),
    "cost_physician_rounds_msek": ("Kostnad för läkarronder", "mnkr"),
    "cost_total_msek": ("Nettokostnad utöver ordinarie lön", "mnkr"),
    "response_cost_overtime_msek": ("Insatsens kostnad: övertid", "mnkr"),
    "response_cost_crisis_pay_msek": ("Insatsens kostnad: ersättning enligt krislägesavtalet", "mnkr"),
    "response_cost_temps_msek": ("Insatsens kostnad: rekryterade", "mnkr"),
    "response_cost_pool_msek": ("Insatsens kostnad: den nationella poolen", "mnkr"),
    "response_cost_recovery_msek": ("Insatsens kostnad: återhämtning", "mnkr"),
    "response_cost_banned_temps_saved_msek": ("Insatsens kostnad: stopp för timanställda (besparing)", "mnkr"),
    "response_cost_transfers_msek": ("Insatsens kostnad: patientflyttar", "mnkr"),
    "response_cost_travel_msek": ("Insatsens kostnad: resor och logi", "mnkr"),
    "response_cost_cooperation_msek": ("Insatsens kostnad: samarbete mellan boenden", "mnkr"),
    "response_cost_licensed_staff_msek": ("Insatsens kostnad: fler sjuksköterskor i kommunal vård", "mnkr"),
    "response_cost_courses_msek": ("Insatsens kostnad: kurser i basal omvårdnad", "mnkr"),
    "response_cost_hygiene_training_msek": ("Insatsens kostnad: hygienutbildning", "mnkr"),
    "response_cost_physician_rounds_msek": ("Insatsens kostnad: läkarronder", "mnkr"),
    "response_cost_total_msek": ("Insatsens kostnad", "mnkr"),
    "wave{k}_start": ("Våg {k}: start", ""),
    "wave{k}_icu_staff_fatigue": ("Våg {k}: IVA-personalens trötthet vid start", "trötthet (0–1)"),
    "wave{k}_icu_staff_sustained_fatigue": ("Våg {k}: IVA-personalens långvariga trötthet vid start", "trötthet (0–1)"),
    "wave{k}_icu_staff_available": ("Våg {k}: tillgänglig IVA-personal vid start", "anställda"),
    "wave{k}_staff_lost": ("Våg {k}: förlorad personal fram till start", "anställda"),
    "wave{k}_capacity_lost_to_fatigue_hours": ("Våg {k}: kapacitet förlorad genom trötthet", "effektiva timmar"),
    "wave{k}_staff_off_sick": ("Våg {k}: sjukskriven personal vid start", "anställda"),
    # the dashboard's live series
    "icu_nurse_coverage": ("Täckning av intensivvårdssjuksköterskor", "intensivvårdssjuksköterskor per IVA-patient"),
    "staff_not_at_work": ("Personal som inte är i arbete, efter status", "anställda"),
    "fatigue_mean": ("Trötthet", "medeltrötthet (0–1)"),
}


# --------------------------------------------------------------------------- lookup


def check(language: str) -> str:
    """``language`` if it is one of ``LANGS``.

    Raises:
        ValueError: naming the languages there are.
    """
    if language not in LANGS:
        raise ValueError(f"unknown language '{language}'; expected one of {', '.join(LANGS)}")
    return language


def t(key: str, language: str = DEFAULT, **values: Any) -> str:
    """The text of ``key`` in ``language``, its ``{placeholders}`` filled in from ``values``.

    Raises:
        KeyError: ``key`` is not in the catalog (``TEXTS``).
    """
    texts = TEXTS[key]
    text = texts[LANGS.index(check(language))]
    text = text.format(**values) if values else text
    return text.replace(" %", NBSP + "%") if language == "sv" else text  # Swedish: a no-break space before "%"


def placeholders(text: str) -> set[str]:
    """The ``{names}`` in a catalog text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def column(name: str, language: str = DEFAULT) -> str:
    """A table's column header: ``column.<name>`` of the catalog, or the name itself (a scenario key, an S1 index)."""
    key = f"column.{name}"
    if key in TEXTS:
        return t(key, language)
    return indicator_title(name, language) if language != DEFAULT and _indicator(name) is not None else str(name)


def add_indicator(name: str, title: str, unit: str = "") -> None:
    """The Swedish title and unit of a user's own indicator (registered with ``sim.indicators.register``)."""
    INDICATORS_SV[name] = (title, unit)


def _indicator(column: str) -> tuple[Any, str | None] | None:
    """The registered indicator of ``column`` and the wave number it carries (None: not registered)."""
    from sim import indicators as registry

    found = registry.find(column)
    if found is None:
        return None
    k = registry._wave(column, found)
    return found, k


def indicator_title(column: str, language: str = DEFAULT) -> str:
    """An indicator's title (``sim.indicators.title`` in English; its ``INDICATORS_SV`` title in Swedish, else the English)."""
    from sim import indicators as registry

    if language == DEFAULT:
        return registry.title(column)
    found = _indicator(column)
    if found is None or found[0].name not in INDICATORS_SV:
        return registry.title(column)
    indicator, k = found
    title = INDICATORS_SV[indicator.name][0]
    return title.replace("{k}", k) if k is not None else title


def indicator_unit(column: str, language: str = DEFAULT) -> str:
    """An indicator's unit in ``language`` (as ``indicator_title``)."""
    from sim import indicators as registry

    if language == DEFAULT:
        return registry.unit(column)
    found = _indicator(column)
    if found is None or found[0].name not in INDICATORS_SV:
        return registry.unit(column)
    return INDICATORS_SV[found[0].name][1]


def missing_indicators() -> list[str]:
    """Registered indicators (``{k}`` names for families) without a Swedish title."""
    from sim import indicators as registry

    return [i.name for i in registry.all() if i.name not in INDICATORS_SV]


def region_name(code: str, language: str = DEFAULT) -> str:
    """A region's name (``sim.data.regions()``; the regions' own Swedish names in both languages)."""
    from sim import data

    regions = data.regions()
    return str(regions.loc[code, "name"]) if code in regions.index else str(code)


def label(kind: str, name: str, language: str = DEFAULT) -> str:
    """The label of a category value (``unit_kind``, ``profession``, ``employer``, ``status``): ``label("unit_kind", "home_care", "sv")``."""
    key = f"{kind}.{name}"
    return t(key, language) if key in TEXTS else str(name).replace("_", " ")


# --------------------------------------------------------------------------- numbers and dates


def digits(text: str, language: str = DEFAULT) -> str:
    """A number formatted by Python (``f"{x:,.1f}"``: ``1,234.5``, ``-3``) in ``language``: unchanged in English, Swedish
    ``1 234,5``, ``−3`` (for axis formatters and labels that format their own numbers)."""
    return text if language == DEFAULT else _swedish(text)


def _swedish(text: str) -> str:
    return text.replace(",", NBSP).replace(".", ",").replace("-", MINUS).replace(" %", NBSP + "%")


def number(value: object, language: str = DEFAULT, digits: int = 3, sign: bool = False, decimals: int | None = None) -> str:
    """A number for people (``sim.text.fmt_number``), in Swedish with a decimal comma and no-break spaces between thousands."""
    text = fmt_number(value, digits, sign=sign, decimals=decimals)
    if language == DEFAULT or not isinstance(value, numbers.Real) or isinstance(value, bool) or text == MISSING:
        return text
    return _swedish(text)


def percent(fraction: object, language: str = DEFAULT, digits: int = 3) -> str:
    """A fraction as a percentage without the sign: ``percent(0.125, "sv")`` is ``12,5`` (the sentence adds " %")."""
    try:
        value = 100 * float(fraction)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    return number(value, language, digits)


def date(value: object, language: str = DEFAULT) -> str:
    """A date: ISO (``2020-04-02``) in English, as before; ``2 april 2020`` in Swedish. Anything else as text."""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)[:10]
    if language == DEFAULT:
        return day.isoformat()
    return f"{day.day} {MONTHS_SV[day.month - 1]} {day.year}"


def short_date(value: Any, language: str = DEFAULT) -> str:
    """``02 Apr`` (English, as ``strftime("%d %b")``) or ``2 apr`` (Swedish), for axis labels."""
    if language == DEFAULT:
        return value.strftime("%d %b")
    return f"{value.day} {MONTHS_SV_SHORT[value.month - 1]}"


def text_of(value: object, language: str = DEFAULT, digits: int = 3) -> str:
    """A table cell: a number as ``number``, anything else as text."""
    return number(value, language, digits) if isinstance(value, numbers.Real) and not isinstance(value, bool) else str(value)


def g(value: float, language: str = DEFAULT) -> str:
    """``f"{value:g}"`` (a scale, a ratio), with a decimal comma in Swedish."""
    return digits(f"{value:g}", language)


def lower_first(text: str, language: str = DEFAULT) -> str:
    """A title inside a sentence: all lower case in English (as before); in Swedish only its first letter, and not an
    abbreviation's (``IVA-vård`` stays)."""
    if language == DEFAULT:
        return text.lower()
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def scale_note(scale: float, language: str = DEFAULT) -> str:
    """``sim.text.scale_note`` in ``language``: "at scale 0.2; full-scale equivalent ≈ ×5"; "" at full scale."""
    from sim.text import fmt_number, full_scale_factor

    if scale is None or float(scale) >= 1.0:
        return ""
    return t(
        "cli.scale_note",
        language,
        scale=digits(f"{float(scale):g}", language),
        factor=digits(fmt_number(full_scale_factor(scale)), language),
    )
