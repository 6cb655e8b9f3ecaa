// The NanoAuth browser client (clients/js: createAuthClient, createPasskeyClient, with nanostores),
// bundled for the demo by `npm run build:demo` in clients/js. Generated: do not edit;
// clients/js/run-tests.sh fails when it is stale.

// node_modules/nanostores/atom/index.js
var listenerQueue = [];
var lqIndex = 0;
var batchSeen = null;
var QUEUE_ITEMS_PER_LISTENER = 4;
var nanostoresGlobal = globalThis.nanostoresGlobal || (globalThis.nanostoresGlobal = { epoch: 0 });
var drainQueue = () => {
  let thrown;
  let i;
  while (lqIndex < listenerQueue.length) {
    i = lqIndex;
    lqIndex += QUEUE_ITEMS_PER_LISTENER;
    let pendingStores = batchSeen?.get(listenerQueue[i]);
    if (pendingStores) {
      if (!pendingStores.has(listenerQueue[i + 1])) continue;
      pendingStores.clear();
    }
    try {
      listenerQueue[i](
        listenerQueue[i + 1].value,
        listenerQueue[i + 2],
        listenerQueue[i + 3]
      );
    } catch (e) {
      thrown = e;
    }
  }
  listenerQueue.length = lqIndex = 0;
  if (thrown) throw thrown;
};
var atom = /* @__NO_SIDE_EFFECTS__ */ (initialValue) => {
  let listeners = [];
  let $atom = {
    eq: Object.is,
    get() {
      if (!$atom.lc) {
        $atom.listen(() => {
        })();
      }
      return $atom.value;
    },
    init: initialValue,
    lc: 0,
    listen(listener) {
      $atom.lc = listeners.push(listener);
      return () => {
        batchSeen?.get(listener)?.delete($atom);
        for (let i = lqIndex; i < listenerQueue.length; ) {
          if (listenerQueue[i] === listener && listenerQueue[i + 1] === $atom) {
            listenerQueue.splice(i, QUEUE_ITEMS_PER_LISTENER);
          } else {
            i += QUEUE_ITEMS_PER_LISTENER;
          }
        }
        let index = listeners.indexOf(listener);
        if (~index) {
          listeners.splice(index, 1);
          if (!--$atom.lc) $atom.off();
        }
      };
    },
    notify(oldValue, changedKey) {
      nanostoresGlobal.epoch++;
      let runListenerQueue = !listenerQueue.length && !batchSeen;
      for (let listener of listeners) {
        if (batchSeen) {
          let pendingStores = batchSeen.get(listener);
          if (!pendingStores) {
            batchSeen.set(listener, pendingStores = /* @__PURE__ */ new Set());
          }
          if (pendingStores.has($atom)) continue;
          pendingStores.add($atom);
        }
        listenerQueue.push(
          listener,
          $atom,
          oldValue,
          batchSeen ? void 0 : changedKey
        );
      }
      if (runListenerQueue) {
        drainQueue();
      }
    },
    /* It will be called on last listener unsubscribing.
       We will redefine it in onMount and onStop. */
    off() {
    },
    set(newValue) {
      let oldValue = $atom.value;
      if (!$atom.eq(oldValue, newValue)) {
        $atom.value = newValue;
        $atom.notify(oldValue);
      }
    },
    subscribe(listener) {
      let unbind = $atom.listen(listener);
      listener($atom.value);
      return unbind;
    },
    value: initialValue
  };
  if (false) {
    $atom[clean] = () => {
      listeners = [];
      $atom.lc = 0;
      $atom.off();
    };
  }
  return $atom;
};

// node_modules/nanostores/lifecycle/index.js
var MOUNT = 5;
var UNMOUNT = 6;
var REVERT_MUTATION = 10;
var on = (object, listener, eventKey, mutateStore) => {
  object.events = object.events || {};
  if (!object.events[eventKey + REVERT_MUTATION]) {
    object.events[eventKey + REVERT_MUTATION] = mutateStore((eventProps) => {
      object.events[eventKey].reduceRight((event, l) => (l(event), event), {
        shared: {},
        ...eventProps
      });
    });
  }
  object.events[eventKey] = object.events[eventKey] || [];
  object.events[eventKey].push(listener);
  return () => {
    let currentListeners = object.events[eventKey];
    let index = currentListeners.indexOf(listener);
    if (~index) {
      currentListeners.splice(index, 1);
      if (!currentListeners.length) {
        object.events[eventKey + REVERT_MUTATION]();
        delete object.events[eventKey + REVERT_MUTATION];
      }
    }
  };
};
var STORE_UNMOUNT_DELAY = 1e3;
var onMount = ($store, initialize) => {
  let listener = (payload) => {
    let destroy = initialize(payload);
    if (destroy) $store.events[UNMOUNT].push(destroy);
  };
  return on($store, listener, MOUNT, (runListeners) => {
    let originListen = $store.listen;
    $store.listen = (...args) => {
      if (!$store.lc && !$store.active) {
        $store.active = true;
        runListeners();
      }
      return originListen(...args);
    };
    let originOff = $store.off;
    $store.events[UNMOUNT] = [];
    $store.off = () => {
      originOff();
      setTimeout(() => {
        if ($store.active && !$store.lc) {
          $store.active = false;
          for (let destroy of $store.events[UNMOUNT]) destroy();
          $store.events[UNMOUNT] = [];
        }
      }, STORE_UNMOUNT_DELAY);
    };
    if (false) {
      let originClean = $store[clean];
      $store[clean] = () => {
        for (let destroy of $store.events[UNMOUNT]) destroy();
        $store.events[UNMOUNT] = [];
        $store.active = false;
        originClean();
      };
    }
    return () => {
      $store.listen = originListen;
      $store.off = originOff;
    };
  });
};

// src/admin.ts
function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== void 0 && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
function createAdminClient(call) {
  const post = (path, signsIn) => (body) => call("POST", path, body, signsIn);
  return {
    listUsers: (params = {}) => call("GET", `/admin/users${query({ ...params })}`),
    getUser: ({ userId }) => call("GET", `/admin/get-user${query({ userId })}`),
    createUser: post("/admin/create-user"),
    setRole: post("/admin/set-role"),
    setUserPassword: post("/admin/set-user-password"),
    banUser: post("/admin/ban-user"),
    unbanUser: post("/admin/unban-user"),
    removeUser: post("/admin/remove-user"),
    listUserSessions: post("/admin/list-user-sessions"),
    revokeUserSession: post("/admin/revoke-user-session"),
    revokeUserSessions: post("/admin/revoke-user-sessions"),
    impersonateUser: post("/admin/impersonate-user", true),
    stopImpersonating: () => call("POST", "/admin/stop-impersonating", void 0, true)
  };
}

// src/organization.ts
function query2(params) {
  return params?.organizationId ? `?organizationId=${encodeURIComponent(params.organizationId)}` : "";
}
function createOrganizationClient(call, refresh) {
  const client = {
    list: () => call("GET", "/organization/list"),
    getFull: (params) => call("GET", `/organization/full${query2(params)}`),
    listInvitations: (params) => call("GET", `/organization/list-invitations${query2(params)}`)
  };
  "create delete setActive leave acceptInvitation setActiveTeam update addMember removeMember updateMemberRole inviteMember rejectInvitation cancelInvitation hasPermission createTeam removeTeam addTeamMember removeTeamMember".split(" ").forEach((name, index) => {
    const path = `/organization/${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    client[name] = async (body) => {
      const result = await call("POST", path, body);
      if (index < 6 && !result.error) await refresh();
      return result;
    };
  });
  return client;
}

// src/client.ts
var AuthError = class extends Error {
  constructor(code, message, status, options) {
    super(message, options);
    this.name = "AuthError";
    this.code = code;
    this.status = status;
  }
};
var CHANNEL = "nanoauth:";
function authBase(baseURL = "", basePath) {
  const url = baseURL.replace(/\/+$/, "");
  if (basePath === void 0) {
    const hasPath = url.startsWith("/") || /^[a-z][a-z\d+.-]*:\/\/[^/]+\//i.test(url);
    return hasPath ? url : `${url}/api/auth`;
  }
  const path = basePath.replace(/^\/+|\/+$/g, "");
  return path ? `${url}/${path}` : url;
}
var ok = (data) => ({ data, error: null });
var fail = (error) => ({ data: null, error });
function createAuthClient(options = {}) {
  const base = authBase(options.baseURL, options.basePath);
  const cooldown = options.focusCooldownMs ?? 5e3;
  const refetchOnFocus = options.refetchOnFocus ?? true;
  const syncTabs = options.syncTabs ?? true;
  const channelName = CHANNEL + base;
  const fetchImpl = options.fetch;
  async function request(method, path, body) {
    const headers = { accept: "application/json" };
    if (body !== void 0) headers["content-type"] = "application/json";
    let status = 0;
    let text;
    let response;
    try {
      response = await (fetchImpl ?? fetch)(base + path, {
        method,
        headers,
        credentials: "include",
        body: body === void 0 ? void 0 : JSON.stringify(body)
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      return fail(new AuthError("NETWORK_ERROR", "The server could not be reached.", status, { cause }));
    }
    let payload;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = void 0;
    }
    if (!response.ok) {
      const error = payload && payload.error;
      return fail(
        error && typeof error.code === "string" ? new AuthError(error.code, typeof error.message === "string" ? error.message : error.code, status) : new AuthError("HTTP_ERROR", `The server answered ${status}.`, status)
      );
    }
    return payload === void 0 ? fail(new AuthError("INVALID_RESPONSE", "The server answered with something other than JSON.", status)) : ok(payload);
  }
  const signedOut = { user: null, session: null, isLoading: false, error: null };
  const $session = atom({ user: null, session: null, isLoading: true, error: null });
  let loaded = false;
  let epoch = 0;
  let inflight = null;
  let lastFetch = -Infinity;
  const set = (state) => {
    loaded = !state.isLoading;
    $session.set(state);
  };
  function getSession() {
    if (inflight && inflight.epoch === epoch) return inflight.promise;
    const started = epoch;
    lastFetch = Date.now();
    const promise = request("GET", "/session").then((result) => {
      if (result.data !== null && !(typeof result.data === "object" && result.data.user)) {
        result = fail(new AuthError("INVALID_RESPONSE", "The session answer has no user.", 200));
      }
      if (inflight && inflight.promise === promise) inflight = null;
      if (started === epoch) {
        const state = $session.value;
        set(
          result.error ? { ...state, isLoading: false, error: result.error } : { user: result.data?.user ?? null, session: result.data?.session ?? null, isLoading: false, error: null }
        );
      }
      return result;
    });
    inflight = { epoch: started, promise };
    return promise;
  }
  function refresh() {
    if (!loaded || Date.now() - lastFetch >= cooldown) void getSession();
  }
  let channel = null;
  function broadcast(type) {
    if (!syncTabs) return;
    const message = { type };
    if (typeof BroadcastChannel === "function") {
      const out = channel ?? new BroadcastChannel(channelName);
      out.postMessage(message);
      if (out !== channel) out.close();
    } else {
      try {
        localStorage.setItem(channelName, JSON.stringify({ ...message, at: Date.now(), n: Math.random() }));
      } catch {
      }
    }
  }
  function received(message) {
    const type = message && message.type;
    if (type !== "signin" && type !== "signout") return;
    epoch++;
    if (type === "signout") set(signedOut);
    else void getSession();
  }
  onMount($session, () => {
    refresh();
    const cleanups = [];
    const listen = (target, name, fn) => {
      target.addEventListener(name, fn);
      cleanups.push(() => target.removeEventListener(name, fn));
    };
    if (refetchOnFocus && typeof window !== "undefined" && typeof document !== "undefined") {
      const onFocus = () => {
        if (document.visibilityState !== "hidden") refresh();
      };
      listen(window, "focus", onFocus);
      listen(document, "visibilitychange", onFocus);
    }
    if (syncTabs) {
      if (typeof BroadcastChannel === "function") {
        const own = new BroadcastChannel(channelName);
        channel = own;
        listen(own, "message", (event) => received(event.data));
        cleanups.push(() => {
          own.close();
          if (channel === own) channel = null;
        });
      } else if (typeof window !== "undefined") {
        listen(window, "storage", (event) => {
          if (event.key !== channelName || !event.newValue) return;
          try {
            received(JSON.parse(event.newValue));
          } catch {
          }
        });
      }
    }
    return () => cleanups.forEach((cleanup) => cleanup());
  });
  async function signedIn(result) {
    if (result.error || !result.data.user) return result;
    epoch++;
    set({ user: result.data.user, session: null, isLoading: false, error: null });
    broadcast("signin");
    await getSession();
    return result;
  }
  function endedSession() {
    epoch++;
    set(signedOut);
    broadcast("signout");
  }
  async function social(path, provider, options2 = {}) {
    const { redirect = true, ...body } = options2;
    const result = await request("POST", `/${path}/${encodeURIComponent(provider)}`, body);
    if (!result.error && redirect && typeof window != "undefined" && window.location) {
      window.location.assign(result.data.url);
    }
    return result;
  }
  const call = (method, path, body, signs) => {
    const sent = request(method, path, body);
    return signs ? sent.then(signedIn) : sent;
  };
  const post = (path, signs) => (body) => call("POST", path, body, signs);
  const refetching = (path) => async (body) => {
    const result = await call("POST", path, body);
    if (!result.error && $session.value.user) await getSession();
    return result;
  };
  const signIn = Object.assign(
    (provider, body) => request("POST", `/signin/${String(provider)}`, body).then(signedIn),
    {
      social: (provider, options2) => social("signin", provider, options2),
      magicLink: post("/signin/magic-link")
    }
  );
  return {
    $session,
    signIn,
    signUp: (provider, body) => request("POST", `/signup/${String(provider)}`, body).then(signedIn),
    async signOut() {
      const result = await request("POST", "/signout");
      if (!result.error) endedSession();
      return result;
    },
    getSession,
    listSessions: () => request("GET", "/sessions"),
    async revokeSession(id) {
      const current = $session.value.session;
      const result = await request("POST", "/sessions/revoke", { id });
      if (!result.error && current && current.id === id) endedSession();
      return result;
    },
    revokeOtherSessions: () => request("POST", "/sessions/revoke-others"),
    linkSocial: (provider, options2) => social("link", provider, options2),
    unlinkAccount: (provider) => request("POST", `/unlink/${encodeURIComponent(provider)}`),
    listAccounts: () => request("GET", "/list-accounts"),
    changePassword: post("/change-password"),
    async updateUser(fields) {
      const result = await request("POST", "/update-user", fields);
      const state = $session.value;
      if (!result.error && state.user && state.user.id === result.data.user.id) {
        set({ ...state, user: result.data.user });
      }
      return result;
    },
    changeEmail: post("/change-email"),
    async deleteUser(body = {}) {
      const result = await request("POST", "/delete-user", body);
      if (!result.error && result.data.deleted) endedSession();
      return result;
    },
    requestPasswordReset: post("/request-password-reset"),
    resetPassword: refetching("/reset-password"),
    sendVerificationEmail: post("/send-verification-email"),
    verifyEmail: refetching("/verify-email"),
    twoFactor: {
      enable: post("/two-factor/enable"),
      verifyTotp: post("/two-factor/verify-totp", true),
      verifyBackupCode: post("/two-factor/verify-backup-code", true),
      sendOtp: post("/two-factor/send-otp"),
      verifyOtp: post("/two-factor/verify-otp", true),
      disable: post("/two-factor/disable"),
      generateBackupCodes: post("/two-factor/backup-codes"),
      status: () => request("GET", "/two-factor/status"),
      revokeTrustedDevice: post("/two-factor/trusted-devices/revoke")
    },
    apiKey: {
      create: post("/api-key/create"),
      // JSON drops the fields left `undefined`.
      list: (owner) => request("GET", `/api-key/list?${new URLSearchParams(JSON.parse(JSON.stringify(owner ?? {})))}`),
      update: post("/api-key/update"),
      delete: post("/api-key/delete")
    },
    admin: createAdminClient(call),
    organization: createOrganizationClient(call, getSession),
    token: () => request("GET", "/token"),
    jwks: () => request("GET", "/jwks"),
    call
  };
}

// src/passkey.ts
var credentialClass = () => typeof PublicKeyCredential === "function" ? PublicKeyCredential : void 0;
function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - base64.length % 4) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
function toBase64url(buffer) {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
var withIds = (list) => (list || []).map((c) => ({ ...c, id: fromBase64url(c.id) }));
function creationOptions(json) {
  const helper = credentialClass()?.parseCreationOptionsFromJSON;
  if (helper) return helper(json);
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials)
  };
}
function requestOptions(json) {
  const helper = credentialClass()?.parseRequestOptionsFromJSON;
  if (helper) return helper(json);
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}
function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {}
  };
}
var failed = (code, message, cause) => ({
  data: null,
  error: new AuthError(code, message, 0, { cause })
});
function createPasskeyClient(auth) {
  const supported = () => !!credentialClass() && typeof navigator !== "undefined" && !!navigator.credentials;
  async function ceremony(create, optionsPath, verifyPath, extra = {}, signIn, body = {}, signs = !!signIn) {
    if (!supported()) return failed("PASSKEY_UNSUPPORTED", "This browser does not support passkeys.");
    const options = await auth.call("POST", optionsPath, body);
    if (options.error) return options;
    let credential;
    try {
      const publicKey = options.data.publicKey;
      credential = create ? await navigator.credentials.create({ publicKey: creationOptions(publicKey) }) : await navigator.credentials.get({
        publicKey: requestOptions(publicKey),
        ...signIn?.conditional ? { mediation: "conditional" } : {},
        ...signIn?.signal ? { signal: signIn.signal } : {}
      });
    } catch (cause) {
      const cancelled = cause && (cause.name === "NotAllowedError" || cause.name === "AbortError");
      return cancelled ? failed("PASSKEY_CANCELLED", "No passkey was used.", cause) : failed("PASSKEY_FAILED", cause && cause.message || "The passkey did not work.", cause);
    }
    if (!credential) return failed("PASSKEY_CANCELLED", "No passkey was used.");
    return auth.call("POST", verifyPath, { ...extra, credential: credentialJSON(credential) }, signs);
  }
  const client = {
    register: (options = {}) => {
      const name = typeof options == "string" ? options : options.name;
      return ceremony(true, "/passkey/register/options", "/passkey/register/verify", name ? { name } : {});
    },
    signUp: (fields, options = {}) => ceremony(true, "/passkey/signup/options", "/signup/passkey", options.name ? { name: options.name } : {}, void 0, fields, true),
    signIn: (options = {}) => ceremony(false, "/passkey/signin/options", "/signin/passkey", {}, options),
    reauthenticate: () => ceremony(false, "/passkey/verify/options", "/passkey/verify"),
    list: () => auth.call("GET", "/passkeys"),
    rename: (body) => auth.call("POST", "/passkey/rename", body),
    delete: (body) => auth.call("POST", "/passkey/delete", body),
    supported,
    conditionalAvailable: async () => {
      try {
        return supported() && !!await credentialClass().isConditionalMediationAvailable?.();
      } catch {
        return false;
      }
    }
  };
  auth.signIn.passkey = client.signIn;
  return client;
}
export {
  createAuthClient,
  createPasskeyClient
};
