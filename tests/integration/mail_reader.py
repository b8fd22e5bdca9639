"""Reading the auth mails the dev stack's real SMTP server stored (the
Maildir SMTP_MAILDIR of .dev/env), shared by the auth suites: messages not
seen yet by address, the /auth/v1 links in them and their 6-digit codes.
Python 3 standard library only."""
import email
import email.policy
import mailbox
import os
import re
import time
import urllib.parse


class MailReader:
    """The messages of one Maildir; each message is handed out once."""

    def __init__(self, maildir):
        self.maildir = maildir
        self.seen = set()

    def box(self):
        return mailbox.Maildir(self.maildir, factory=None, create=False)

    def all(self):
        """[(key, message)] of every stored message."""
        box = self.box()
        out = []
        for key in box.keys():
            with open(os.path.join(self.maildir, box._lookup(key)), "rb") as f:
                out.append((key, email.message_from_bytes(f.read(), policy=email.policy.default)))
        return out

    def count(self):
        return len(self.box().keys())

    def mark_seen(self):
        for key, _ in self.all():
            self.seen.add(key)

    def new_to(self, address, timeout=10.0):
        """The first message to address not seen yet (waits for it), or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for key, msg in self.all():
                if key not in self.seen and address.lower() in str(msg.get("To", "")).lower():
                    self.seen.add(key)
                    return msg
            time.sleep(0.1)
        return None

    def none_to(self, address, wait=1.0):
        """True when, after wait seconds, no unseen message went to address."""
        time.sleep(wait)
        return not any(address.lower() in str(m.get("To", "")).lower()
                       for k, m in self.all() if k not in self.seen)


def link_in(msg, path):
    """The link to /auth/v1<path> in msg, or None."""
    for url in re.findall(r"https?://\S+", msg.get_content() if msg else ""):
        if urllib.parse.urlparse(url).path == "/auth/v1" + path:
            return url
    return None


def code_in(msg):
    """The 6-digit code (GoTrue's {{ .Token }}) in msg, or None."""
    m = re.search(r"enter this code[^\n]*\n\n(\d{6})\n", msg.get_content() if msg else "")
    return m.group(1) if m else None
