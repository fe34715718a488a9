"""The default nurture flow DOMAIN.md describes, as ``[nurture]`` data."""

from __future__ import annotations

from typing import Any

from ._definition import RESUME

DEFAULT_FLOW: dict[str, Any] = {
    "version": 1,
    "initial": "nurturing",
    "templates": [
        "welcome_1",
        "welcome_2",
        "welcome_3",
        "demo_booking",
        "reactivation_1",
        "reactivation_2",
        "quarterly_update",
    ],
    "statuses": {
        "nurturing": {
            "steps": [
                {"after_days": 0, "action": "send_email", "template": "welcome_1"},
                {"after_days": 5, "action": "send_email", "template": "welcome_2"},
                {"after_days": 12, "action": "send_email", "template": "welcome_3"},
            ]
        },
        "paused": {"pause": True},
        "sales_ready": {"terminal": True},
        "reactivation": {
            "steps": [
                {"after_days": 0, "action": "send_email", "template": "reactivation_1"},
                {"after_days": 14, "action": "send_email", "template": "reactivation_2"},
            ]
        },
        "archived": {
            "terminal": True,
            "contact_every_months": 3,
            "contact_template": "quarterly_update",
        },
        "unsubscribed": {"terminal": True},
        "converted": {"terminal": True},
    },
    "transitions": [
        {"name": "unsubscribed", "from": "*", "to": "unsubscribed", "on": {"event": "unsubscribe"}},
        {"name": "hard bounce", "from": "*", "to": "unsubscribed", "on": {"event": "hard_bounce"}},
        {
            "name": "replied",
            "from": "nurturing",
            "to": "paused",
            "on": {"event": "email_reply"},
            "actions": [{"action": "notify_owner"}],
        },
        {
            "name": "replied",
            "from": "reactivation",
            "to": "paused",
            "on": {"event": "email_reply"},
            "actions": [{"action": "notify_owner"}],
        },
        {"name": "handed back", "from": "paused", "to": RESUME, "on": {"event": "nurture_resumed"}},
        {
            "name": "hot",
            "from": "nurturing",
            "to": "sales_ready",
            "on": {"event": "*", "score": {"hot": True}},
            "actions": [
                {"action": "assign_owner"},
                {"action": "send_email", "template": "demo_booking"},
            ],
        },
        {
            "name": "hot",
            "from": "reactivation",
            "to": "sales_ready",
            "on": {"event": "*", "score": {"hot": True}},
            "actions": [
                {"action": "assign_owner"},
                {"action": "send_email", "template": "demo_booking"},
            ],
        },
        {
            "name": "active again",
            "from": "reactivation",
            "to": "nurturing",
            "on": {"event": "*", "score": {"hot": False}},
        },
        {
            "name": "90 days inactive",
            "from": "nurturing",
            "to": "reactivation",
            "on": {"idle_days": 90},
        },
        {
            "name": "no answer to reactivation",
            "from": "reactivation",
            "to": "archived",
            "on": {"days_in_status": 30},
            "actions": [{"action": "archive"}],
        },
    ],
    "goals": [{"event": "meeting_booked", "to": "converted"}],
}
