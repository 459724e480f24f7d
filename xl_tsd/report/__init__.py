"""Documents made from a computed case workbook: the integrity seal (:mod:`.seal`), its verification
(:mod:`.verify`) and the expert's report (:mod:`.document`, with charts from :mod:`.charts`)."""
