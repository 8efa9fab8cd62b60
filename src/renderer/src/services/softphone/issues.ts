/**
 * Everything the softphone may tell the agent, as stable codes. The store holds these codes
 * (never translated text), so a language switch re-renders every notice; the words live in
 * i18n under `softphone.issues.<code>`.
 */
export const softphoneIssues = [
  // dialling input
  'numberEmpty',
  'numberChars',
  'numberMobile',
  'numberLandline',
  'numberInvalid',
  // SIP final responses
  'notFound',
  'busy',
  'unavailable',
  'serviceUnavailable',
  'noAnswer',
  'cancelled',
  'declined',
  'forbidden',
  'incomplete',
  'incompatible',
  'authFailed',
  'serverError',
  'callFailed',
  // registration and set-up
  'noExtension',
  'profileUnavailable',
  'transportUnavailable',
  'registrationRejected',
  'microphoneDenied',
  'microphoneMissing',
  'mediaFailed',
  'mediaLost',
  'notRegistered',
  'callInProgress',
  'transferFailed',
  'holdFailed',
  'dtmfFailed',
  // device check
  'micSilent',
  'speakerFailed',
  'ringFailed',
  'mediaPathFailed',
  // notices
  'deviceFallbackMic',
  'deviceFallbackSpeaker',
  'deviceFallbackRing',
  'signallingLost',
  'signallingRestored',
  'transferDone',
] as const;
export type SoftphoneIssue = (typeof softphoneIssues)[number];
