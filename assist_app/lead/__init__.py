"""Team-lead mode, pure logic: live statistics, surge detection, alert policy, the team board ranked by risk.

No Qt and no I/O here; the Qt side is assist_app/ui/lead/.
"""
