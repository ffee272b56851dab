/**
 * The API-keys card's English strings. They ship in the card's own chunk (see
 * ../views/dashboard/api-keys.ts), which adds them to the English table when it loads;
 * `messages` overrides and the locale tables apply to them as to every other key.
 * The key names are also listed in ./messages.ts, so overrides are checked before then.
 */
export const apiKeysEn = {
  // (An aria-label must contain its button's visible text: "Roll" -> "Roll {name}".)
  'dashboard.keys.empty': 'You have no API keys yet.',
  'dashboard.keys.created': 'Created {date}',
  'dashboard.keys.lastUsed': 'Last used {date}',
  'dashboard.keys.neverUsed': 'Never used',
  'dashboard.keys.roll': 'Roll',
  'dashboard.keys.rollLabel': 'Roll {name}',
  'dashboard.keys.rollTitle': 'Roll {name}?',
  'dashboard.keys.rollBody': 'The current key stops working at once. Apps that use it need the new key.',
  'dashboard.keys.rollConfirm': 'Roll key',
  'dashboard.keys.rolled': 'Key rolled. Copy the new key now.',
  'dashboard.keys.revealed': 'New key for {name}',
  'dashboard.keys.once': 'Copy it now: you won’t see it again.',
  'dashboard.keys.alreadyShown': 'The secret of {name} was already shown, to an earlier attempt that did not reach you. Roll the key to get a new one.',
  'dashboard.keys.copy': 'Copy',
  'dashboard.keys.copyLabel': 'Copy the new key',
  'dashboard.keys.copied': 'Copied to the clipboard.',
  'dashboard.keys.copyFailed': 'Copying isn’t available here. The key is selected: copy it with your keyboard.',
  'dashboard.keys.dismiss': 'I’ve saved it',
  'dashboard.keys.create': 'Create key',
  'dashboard.keys.createName': 'Key name',
  'dashboard.keys.createSubmit': 'Create key',
  'dashboard.keys.createdNew': 'Key created. Copy it now.',
  'dashboard.keys.revoke': 'Revoke',
  'dashboard.keys.revokeLabel': 'Revoke {name}',
  'dashboard.keys.revokeTitle': 'Revoke {name}?',
  'dashboard.keys.revokeBody': 'The key stops working at once, for good. Apps that use it will be refused.',
  'dashboard.keys.revokeConfirm': 'Revoke key',
  'dashboard.keys.revoked': 'Key {name} revoked.',
}
