"""The Dashboard: the funnel, this week's actions, the mentor's review queue and the
feedback themes, computed from the tracker (pure) and laid out as a grid."""
