"""The second factor for staff (ADR 0031): after the password, a code from an authenticator app (TOTP), or one of
ten recovery codes that work once each. django-otp keeps the devices; this package asks for them."""
