"""Mail to the console, readable: the embedded mode's stand-in for SMTP.

Django's console backend prints the message as it would travel, and a
Chinese body travels base64-encoded, so a password-reset link cannot be read
or copied off the console. This one prints the headers, then each text part
decoded.
"""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        msg = message.message()
        for name, value in msg.items():
            if name.lower() not in {"content-type", "content-transfer-encoding", "mime-version"}:
                self.stream.write(f"{name}: {value}\n")
        for part in msg.walk():
            if part.get_content_maintype() == "text" and not part.is_multipart():
                body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                self.stream.write(f"\n[{part.get_content_type()}]\n{body}\n")
        self.stream.write("-" * 79 + "\n")
