"""Outgoing e-mail. The SMTP relay is replaced by an in-process outbox."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


# Module-level outbox: every EmailClient appends here.
outbox: list[Email] = []


class EmailClient:
    def __init__(self, sender: str = "orders@shop.example") -> None:
        self.sender = sender

    def send(self, to: str, subject: str, body: str) -> Email:
        message = Email(to, subject, body)
        outbox.append(message)
        return message
