"use strict";
(function () {
  var spec = JSON.parse(document.getElementById("openapi").textContent);
  var main = document.getElementById("main");
  var schemas = (spec.components && spec.components.schemas) || {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function refName(ref) {
    var prefix = "#/components/schemas/";
    return ref.indexOf(prefix) === 0 ? decodeURIComponent(ref.slice(prefix.length)) : ref;
  }

  function typeOf(schema) {
    if (schema === true) return "any";
    if (schema === false) return "nothing";
    if (schema.$ref) return refName(schema.$ref);
    if ("const" in schema) return JSON.stringify(schema.const);
    if (schema["enum"]) return schema["enum"].map(function (v) { return JSON.stringify(v); }).join(" | ");
    var type = schema.type;
    if (Array.isArray(type)) return type.join(" | ");
    if (type === "array" && schema.items) return "array of " + typeOf(schema.items);
    if (type) return type + (schema.format ? " (" + schema.format + ")" : "");
    if (schema.anyOf || schema.oneOf) return "one of";
    if (schema.allOf) return "all of";
    return "any";
  }

  // A schema as a nested list; each component is expanded once per branch.
  function render(schema, seen) {
    var box = el("div", "schema");
    if (schema === true || schema === false || typeof schema !== "object") {
      box.appendChild(el("code", null, typeOf(schema)));
      return box;
    }
    if (schema.description) box.appendChild(el("p", "note", schema.description));
    if (schema.$ref) {
      var name = refName(schema.$ref);
      var target = schemas[name];
      if (!target || seen.indexOf(name) >= 0) {
        box.appendChild(el("code", null, name));
        return box;
      }
      box.appendChild(el("span", "ref", name));
      box.appendChild(render(target, seen.concat([name])));
      return box;
    }
    ["allOf", "anyOf", "oneOf"].forEach(function (key) {
      if (!Array.isArray(schema[key])) return;
      box.appendChild(el("span", "ref", key === "allOf" ? "all of:" : "one of:"));
      var list = el("ol");
      schema[key].forEach(function (part) {
        var item = el("li");
        item.appendChild(render(part, seen));
        list.appendChild(item);
      });
      box.appendChild(list);
    });
    var properties = schema.properties || {};
    var names = Object.keys(properties);
    if (names.length) {
      var required = schema.required || [];
      var fields = el("ul", "fields");
      names.forEach(function (field) {
        var item = el("li");
        item.appendChild(el("code", "name", field));
        var sub = properties[field];
        item.appendChild(el("span", "type", " " + typeOf(sub)));
        if (required.indexOf(field) >= 0) item.appendChild(el("span", "required", " required"));
        var simple = sub === true || sub === false || (typeof sub === "object" && !sub.$ref &&
          !sub.properties && !sub.allOf && !sub.anyOf && !sub.oneOf &&
          !(sub.items && (sub.items.$ref || sub.items.properties)));
        if (simple) {
          if (sub.description) item.appendChild(el("p", "note", sub.description));
        } else {
          item.appendChild(render(sub.type === "array" ? sub.items : sub, seen));
        }
        fields.appendChild(item);
      });
      box.appendChild(fields);
    } else if (!schema.allOf && !schema.anyOf && !schema.oneOf) {
      box.appendChild(el("code", null, typeOf(schema)));
      if (schema.type === "array" && schema.items && typeof schema.items === "object" &&
          (schema.items.$ref || schema.items.properties)) {
        box.appendChild(render(schema.items, seen));
      }
    }
    return box;
  }

  function section(title, body) {
    var wrap = el("section");
    wrap.appendChild(el("h4", null, title));
    wrap.appendChild(body);
    return wrap;
  }

  function content(media) {
    var box = el("div");
    Object.keys(media || {}).forEach(function (type) {
      box.appendChild(el("p", "media", type));
      if (media[type].schema) box.appendChild(render(media[type].schema, []));
    });
    return box;
  }

  function operation(method, path, op) {
    var details = el("details", "op");
    details.id = op.operationId || method + path;
    var summary = el("summary");
    summary.appendChild(el("span", "method " + method, method.toUpperCase()));
    summary.appendChild(el("code", "path", path));
    summary.appendChild(el("span", "summary", op.summary || ""));
    details.appendChild(summary);
    if (op.description) details.appendChild(el("p", null, op.description));
    if (op.security) {
      var optional = op.security.some(function (s) { return Object.keys(s).length === 0; });
      details.appendChild(el("p", "auth", optional
        ? "Reads the session when there is one (cookie or bearer token)."
        : "Needs a session: the session cookie or `Authorization: Bearer <token>`."));
    }
    if (op.parameters && op.parameters.length) {
      var params = el("ul", "fields");
      op.parameters.forEach(function (p) {
        var item = el("li");
        item.appendChild(el("code", "name", p.name));
        item.appendChild(el("span", "type", " in " + p["in"]));
        if (p.required) item.appendChild(el("span", "required", " required"));
        if (p.description) item.appendChild(el("p", "note", p.description));
        params.appendChild(item);
      });
      details.appendChild(section("Parameters", params));
    }
    if (op.requestBody) details.appendChild(section("Request body", content(op.requestBody.content)));
    var responses = el("div");
    Object.keys(op.responses || {}).forEach(function (status) {
      var response = op.responses[status];
      var box = el("div", "response");
      var head = el("p");
      head.appendChild(el("strong", "status", status));
      head.appendChild(el("span", null, " " + (response.description || "")));
      box.appendChild(head);
      if (response.content && /^2/.test(status)) box.appendChild(content(response.content));
      responses.appendChild(box);
    });
    details.appendChild(section("Responses", responses));
    return details;
  }

  var info = spec.info || {};
  document.title = (info.title || "API") + " reference";
  main.appendChild(el("h1", null, (info.title || "API") + " " + (info.version || "")));
  if (info.description) main.appendChild(el("p", null, info.description));
  var server = spec.servers && spec.servers[0] ? spec.servers[0].url : "";
  main.appendChild(el("p", "note", "Paths are under " + (server || "/") + ". The description itself: openapi.json."));
  var groups = {};
  var order = (spec.tags || []).map(function (t) { return t.name; });
  Object.keys(spec.paths || {}).forEach(function (path) {
    var item = spec.paths[path];
    ["get", "put", "post", "delete", "patch", "head", "options"].forEach(function (method) {
      if (!item[method]) return;
      var tag = (item[method].tags && item[method].tags[0]) || "other";
      if (order.indexOf(tag) < 0) order.push(tag);
      (groups[tag] = groups[tag] || []).push(operation(method, path, item[method]));
    });
  });
  order.forEach(function (tag) {
    if (!groups[tag]) return;
    var group = el("section", "tag");
    group.appendChild(el("h2", null, tag));
    groups[tag].forEach(function (node) { group.appendChild(node); });
    main.appendChild(group);
  });
})();
