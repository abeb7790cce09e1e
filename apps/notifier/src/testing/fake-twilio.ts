/** The tests' Twilio: the local gateway `npm start` runs too, so tests and the first run share its wire format. */
export {
  TwilioGateway as FakeTwilio,
  twilioSignature,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
  type GatewayMessage as FakeMessage,
  type Behaviour,
} from '@kefu/shared';
