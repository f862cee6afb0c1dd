"""Paper-specific parts of the report, listed explicitly (one module per paper, named by its paper id).

Each module defines ``SECTIONS`` (callables mapping a summary to Markdown lines) and ``PLOTS`` (callables drawing
PNGs from a summary into a folder and returning their file names).  The order here is the order in the report.
"""

from __future__ import annotations

from reports.families import kawaguchi2019, liang2018, pilanci2020, survey, wang2023, zhang2019, zhang2019_experiments

FAMILIES = (zhang2019, zhang2019_experiments, survey, wang2023, pilanci2020, liang2018, kawaguchi2019)

SECTIONS = [section for module in FAMILIES for section in module.SECTIONS]
PLOTS = [plot for module in FAMILIES for plot in module.PLOTS]
