"""Referral packets: the signed ZIP sent with a transfer to the police or an application to a
court (DESIGN §5), its verification, and the record of every download."""
