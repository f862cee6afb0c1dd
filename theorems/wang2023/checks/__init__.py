"""Oracle functions of the Wang, Ergen, Pilanci (ICLR 2023) families: ``linear`` (Section 3, Appendix D) and
``relu`` (Section 4)."""
