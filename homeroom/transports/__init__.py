"""The bare transports: put one text on one phone (Twilio) or one email in one mailbox (SMTP),
and say why when it fails. They know no app: people's sign-in codes and invitations
(`outbound`) and messaging's channels, which render a conversation's message for a reader,
both stand on them."""
