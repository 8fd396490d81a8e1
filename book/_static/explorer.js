/*
 * Matrix explorer: a 1-D convolution drawn as its matrix.
 *
 * Plain JavaScript, no library, no network: it turns every
 * <div class="convmat-explorer"> on the page into a small widget with
 * controls for the input length n, the kernel size k, the (zero) padding p,
 * the stride s and the dilation d.  It draws the matrix M with
 * b = M a (the deep-learning convention: cross-correlation, no flip), and
 * choosing an output b_i highlights row i of M and the window of the
 * padded input that b_i reads.
 *
 * The rule is the one of convmat.conv_index (tests/test_browser.py checks
 * the highlighted cells against it): output i reads the padded position
 * i*s + t*d through tap t, i.e. input j = i*s + t*d - p, and taps that land
 * in the padding are absent from the matrix.
 *
 * Optional data attributes on the container set the starting values:
 * data-n, data-k, data-padding, data-stride, data-dilation, data-output
 * (1-based output chosen at start).
 */
(function () {
  "use strict";

  var LIMITS = {
    n: { min: 1, max: 16, start: 6, label: "Input length n" },
    k: { min: 1, max: 7, start: 3, label: "Kernel size k" },
    padding: { min: 0, max: 6, start: 0, label: "Padding p (zeros)" },
    stride: { min: 1, max: 4, start: 1, label: "Stride s" },
    dilation: { min: 1, max: 4, start: 1, label: "Dilation d" },
  };
  var KEYS = ["n", "k", "padding", "stride", "dilation"];
  var MINUS = "\u2212";
  var TIMES = "\u00d7";
  var DOT = "\u00b7";

  var counter = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) {
          return;
        }
        if (name === "text") {
          node.textContent = value;
        } else if (name === "className") {
          node.className = value;
        } else {
          node.setAttribute(name, value === true ? "" : String(value));
        }
      });
    }
    (children || []).forEach(function (child) {
      node.appendChild(
        typeof child === "string" ? document.createTextNode(child) : child
      );
    });
    return node;
  }

  /* A symbol with a subscript: sym("w", 2) is w<sub>2</sub> (text "w2"). */
  function sym(letter, index) {
    return el("span", { className: "cmx-sym" }, [
      letter,
      el("sub", null, [String(index)]),
    ]);
  }

  function ordinal(v) {
    return v + (v === 2 ? "nd" : v === 3 ? "rd" : "th");
  }

  function symText(letter, index) {
    return letter + index;
  }

  function clamp(value, limits) {
    var v = parseInt(value, 10);
    if (isNaN(v)) {
      return null;
    }
    return Math.min(limits.max, Math.max(limits.min, v));
  }

  /*
   * The convolution's index map.  Returns {nOut, rows} where rows[i] lists
   * {tap, pos, col} for every tap t = 0..k-1: pos is the position in the
   * padded input (0 .. n+2p-1) and col the input index (pos - p), null when
   * the tap lands in the zero padding.  nOut < 1 means no output fits.
   */
  function convMap(n, k, p, s, d) {
    var span = d * (k - 1) + 1;
    var room = n + 2 * p - span;
    var nOut = room < 0 ? 0 : Math.floor(room / s) + 1;
    var rows = [];
    for (var i = 0; i < nOut; i++) {
      var taps = [];
      for (var t = 0; t < k; t++) {
        var pos = i * s + t * d;
        var col = pos - p;
        taps.push({ tap: t, pos: pos, col: col >= 0 && col < n ? col : null });
      }
      rows.push(taps);
    }
    return { nOut: nOut, span: span, rows: rows };
  }

  function Explorer(root) {
    this.root = root;
    this.id = "cmx" + ++counter;
    this.state = {};
    var data = root.dataset;
    KEYS.forEach(function (key) {
      var value = clamp(data[key], LIMITS[key]);
      this.state[key] = value === null ? LIMITS[key].start : value;
    }, this);
    var start = parseInt(data.output, 10);
    this.selected = isNaN(start) ? 0 : start - 1;
    this.build();
    this.render();
  }

  Explorer.prototype.build = function () {
    var self = this;
    var root = this.root;
    root.textContent = "";
    root.classList.add("cmx");

    // Controls: real form elements, each with its label.
    var fieldset = el("fieldset", { className: "cmx-controls" }, [
      el("legend", { text: "Convolution settings" }),
    ]);
    this.inputs = {};
    KEYS.forEach(function (key) {
      var limits = LIMITS[key];
      var id = self.id + "-" + key;
      var control;
      if (key === "n") {
        control = el("input", {
          type: "number",
          id: id,
          min: limits.min,
          max: limits.max,
          step: 1,
          value: self.state[key],
          inputmode: "numeric",
        });
      } else {
        control = el("select", { id: id });
        for (var v = limits.min; v <= limits.max; v++) {
          control.appendChild(el("option", { value: v, text: String(v) }));
        }
        control.value = String(self.state[key]);
      }
      control.dataset.setting = key;
      control.addEventListener(key === "n" ? "input" : "change", function () {
        var value = clamp(control.value, limits);
        if (value === null) {
          return; // an empty number field while typing: keep the last matrix
        }
        self.state[key] = value;
        self.render();
      });
      if (key === "n") {
        // Leaving the field shows the value actually used.
        control.addEventListener("change", function () {
          control.value = String(self.state.n);
        });
      }
      self.inputs[key] = control;
      fieldset.appendChild(
        el("div", { className: "cmx-field" }, [
          el("label", { for: id, text: limits.label }),
          control,
        ])
      );
    });
    root.appendChild(fieldset);

    this.shape = el("p", { className: "cmx-shape" });
    root.appendChild(this.shape);

    // The padded input a and the output b = M a, as rows of cells.
    this.inputRow = el("div", {
      className: "cmx-cells cmx-input",
      role: "list",
      "aria-label": "Input a, with its zero padding",
    });
    this.outputRow = el("div", {
      className: "cmx-cells cmx-output",
      role: "group",
      "aria-label": "Outputs of b = M a: choose one",
    });
    this.outputRow.addEventListener("keydown", function (event) {
      self.onKey(event);
    });
    var vectors = el("div", { className: "cmx-vectors" }, [
      el("div", { className: "cmx-vector" }, [
        el("p", { className: "cmx-caption", id: this.id + "-in" }, [
          "Input ",
          el("var", { text: "a" }),
          " (padding shown as 0)",
        ]),
        el(
          "div",
          {
            className: "cmx-scroll",
            "data-scroll": "input",
            tabindex: 0,
            role: "region",
            "aria-labelledby": this.id + "-in",
          },
          [this.inputRow]
        ),
      ]),
      el("div", { className: "cmx-vector" }, [
        el("p", { className: "cmx-caption" }, [
          "Output ",
          el("var", { text: "b" }),
          " = ",
          el("var", { text: "M" }),
          el("var", { text: "a" }),
          ": choose an element",
        ]),
        el("div", { className: "cmx-scroll", "data-scroll": "output" }, [
          this.outputRow,
        ]),
      ]),
    ]);
    root.appendChild(vectors);

    // The matrix, in a box that scrolls on its own on a narrow screen.
    root.appendChild(
      el("p", { className: "cmx-caption", id: this.id + "-m" }, [
        "The matrix ",
        el("var", { text: "M" }),
        ": one row per output, one column per input",
      ])
    );
    this.table = el("table", { className: "cmx-matrix" });
    this.matrixBox = el(
      "div",
      {
        className: "cmx-scroll cmx-matrix-box",
        tabindex: 0,
        role: "region",
        "aria-labelledby": this.id + "-m",
      },
      [this.table]
    );
    root.appendChild(this.matrixBox);

    this.description = el("p", {
      className: "cmx-description",
      "aria-live": "polite",
      "aria-atomic": "true",
    });
    root.appendChild(this.description);
  };

  Explorer.prototype.render = function () {
    var st = this.state;
    var n = st.n,
      k = st.k,
      p = st.padding,
      s = st.stride,
      d = st.dilation;
    var map = convMap(n, k, p, s, d);
    this.map = map;
    this.root.dataset.nOut = String(map.nOut);

    // The output-size formula with the numbers filled in.
    var formula =
      "m = \u230a(n + 2p " +
      MINUS +
      " d(k " +
      MINUS +
      " 1) " +
      MINUS +
      " 1) / s\u230b + 1 = \u230a(" +
      n +
      " + " +
      2 * p +
      " " +
      MINUS +
      " " +
      d * (k - 1) +
      " " +
      MINUS +
      " 1) / " +
      s +
      "\u230b + 1";
    if (map.nOut > 0) {
      this.shape.textContent =
        "Output length " +
        formula +
        " = " +
        map.nOut +
        ", so M is " +
        map.nOut +
        " " +
        TIMES +
        " " +
        n +
        ".";
    } else {
      this.shape.textContent =
        "No output: the kernel spans d(k " +
        MINUS +
        " 1) + 1 = " +
        map.span +
        " positions but the padded input has only n + 2p = " +
        (n + 2 * p) +
        " (convmat raises a ValueError). Make the input longer, the kernel " +
        "smaller or the padding larger.";
    }
    this.root.classList.toggle("cmx-empty", map.nOut === 0);

    this.renderInput();
    this.renderOutput();
    this.renderMatrix();
    if (this.selected >= map.nOut) {
      this.selected = map.nOut - 1;
    }
    if (this.selected < 0 && map.nOut > 0) {
      this.selected = 0;
    }
    this.select(this.selected, false);
  };

  Explorer.prototype.renderInput = function () {
    var st = this.state;
    var row = this.inputRow;
    row.textContent = "";
    this.inputCells = [];
    for (var pos = 0; pos < st.n + 2 * st.padding; pos++) {
      var col = pos - st.padding;
      var isPad = col < 0 || col >= st.n;
      var cell = el(
        "span",
        {
          className: "cmx-cell" + (isPad ? " cmx-pad" : ""),
          role: "listitem",
          "data-pos": pos,
          "data-col": isPad ? null : col,
          "aria-label": isPad ? "padding zero" : null,
        },
        [isPad ? "0" : sym("a", col + 1)]
      );
      this.inputCells.push(cell);
      row.appendChild(cell);
    }
  };

  Explorer.prototype.renderOutput = function () {
    var self = this;
    var row = this.outputRow;
    row.textContent = "";
    this.outputButtons = [];
    for (var i = 0; i < this.map.nOut; i++) {
      var button = el(
        "button",
        {
          type: "button",
          className: "cmx-cell cmx-out",
          "data-row": i,
          "aria-pressed": "false",
        },
        [sym("b", i + 1)]
      );
      button.addEventListener(
        "click",
        (function (index) {
          return function () {
            self.select(index, true);
          };
        })(i)
      );
      this.outputButtons.push(button);
      row.appendChild(button);
    }
  };

  Explorer.prototype.renderMatrix = function () {
    var self = this;
    var st = this.state;
    var table = this.table;
    table.textContent = "";
    this.matrixRows = [];
    if (this.map.nOut === 0) {
      return;
    }
    table.appendChild(
      el("caption", { className: "cmx-visually-hidden" }, [
        "Matrix M: row i holds the taps that output b",
        el("sub", null, ["i"]),
        " applies to each input",
      ])
    );
    var head = el("tr", null, [
      el("td", { className: "cmx-corner" }),
    ]);
    for (var j = 0; j < st.n; j++) {
      head.appendChild(
        el("th", { scope: "col", "data-col": j }, [sym("a", j + 1)])
      );
    }
    table.appendChild(el("thead", null, [head]));
    var body = el("tbody");
    this.map.rows.forEach(function (taps, i) {
      var byCol = {};
      taps.forEach(function (entry) {
        if (entry.col !== null) {
          byCol[entry.col] = entry.tap;
        }
      });
      var tr = el("tr", { "data-row": i }, [
        el("th", { scope: "row" }, [sym("b", i + 1)]),
      ]);
      for (var j = 0; j < st.n; j++) {
        var tap = Object.prototype.hasOwnProperty.call(byCol, j)
          ? byCol[j]
          : null;
        tr.appendChild(
          el(
            "td",
            {
              className: tap === null ? "cmx-zero" : "cmx-tap",
              "data-col": j,
              "data-tap": tap === null ? null : tap,
            },
            [tap === null ? "0" : sym("w", tap + 1)]
          )
        );
      }
      // Clicking a row is a shortcut for its output button (mouse only;
      // keyboard users have the buttons).
      tr.addEventListener("click", function () {
        self.select(i, false);
      });
      self.matrixRows.push(tr);
      body.appendChild(tr);
    });
    table.appendChild(body);
  };

  /* Choose output i: highlight it, its row of M and the window it reads. */
  Explorer.prototype.select = function (i, focus) {
    var map = this.map;
    this.selected = i;
    this.root.dataset.selected = i >= 0 ? String(i) : "";
    this.outputButtons.forEach(function (button, index) {
      var on = index === i;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("cmx-on", on);
      // Roving focus: Tab enters the outputs once, arrows move inside.
      button.tabIndex = on || (i < 0 && index === 0) ? 0 : -1;
    });
    if (focus && this.outputButtons[i]) {
      this.outputButtons[i].focus();
    }
    var reads = {};
    if (i >= 0 && i < map.nOut) {
      map.rows[i].forEach(function (entry) {
        reads[entry.pos] = entry;
      });
    }
    this.inputCells.forEach(function (cell) {
      var pos = parseInt(cell.dataset.pos, 10);
      cell.classList.toggle("cmx-window", reads.hasOwnProperty(pos));
    });
    var rowCols = {};
    if (i >= 0 && i < map.nOut) {
      map.rows[i].forEach(function (entry) {
        if (entry.col !== null) {
          rowCols[entry.col] = true;
        }
      });
    }
    this.matrixRows.forEach(function (tr, index) {
      var on = index === i;
      tr.classList.toggle("cmx-row-on", on);
      Array.prototype.forEach.call(tr.querySelectorAll("td"), function (td) {
        td.classList.toggle(
          "cmx-hit",
          on && rowCols.hasOwnProperty(td.dataset.col)
        );
      });
    });
    Array.prototype.forEach.call(
      this.table.querySelectorAll("thead th"),
      function (th) {
        th.classList.toggle("cmx-hit", rowCols.hasOwnProperty(th.dataset.col));
      }
    );
    this.describe(i);
  };

  Explorer.prototype.describe = function (i) {
    var map = this.map;
    var st = this.state;
    if (map.nOut === 0 || i < 0) {
      this.description.textContent = this.shape.textContent;
      return;
    }
    var taps = map.rows[i];
    var terms = [];
    var padded = [];
    var cells = [];
    taps.forEach(function (entry) {
      if (entry.col === null) {
        padded.push(symText("w", entry.tap + 1));
        cells.push("0");
      } else {
        terms.push(
          symText("w", entry.tap + 1) + DOT + symText("a", entry.col + 1)
        );
        cells.push(symText("a", entry.col + 1));
      }
    });
    var out = symText("b", i + 1);
    var text =
      "Output " +
      out +
      " reads (" +
      cells.join(", ") +
      ")" +
      (st.dilation > 1
        ? ", every " + ordinal(st.dilation) + " cell of the padded input"
        : "") +
      ": " +
      out +
      " = " +
      (terms.length ? terms.join(" + ") : "0") +
      ". ";
    if (padded.length) {
      text +=
        (padded.length === 1 ? "Tap " : "Taps ") +
        padded.join(", ") +
        (padded.length === 1 ? " meets" : " meet") +
        " the zero padding, so row " +
        (i + 1) +
        " of M leaves " +
        (padded.length === 1 ? "it" : "them") +
        " out. ";
    }
    text +=
      "Row " +
      (i + 1) +
      " of M has " +
      terms.length +
      " non-zero " +
      (terms.length === 1 ? "entry" : "entries") +
      " out of " +
      st.n +
      ".";
    this.description.textContent = text;
  };

  Explorer.prototype.onKey = function (event) {
    var n = this.map.nOut;
    if (!n) {
      return;
    }
    var i = this.selected;
    switch (event.key) {
      case "ArrowRight":
      case "ArrowDown":
        i = Math.min(n - 1, i + 1);
        break;
      case "ArrowLeft":
      case "ArrowUp":
        i = Math.max(0, i - 1);
        break;
      case "Home":
        i = 0;
        break;
      case "End":
        i = n - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.select(i, true);
  };

  function build(root) {
    if (!root.cmxExplorer) {
      root.cmxExplorer = new Explorer(root);
    }
  }

  // Each explorer is built when it comes within a screen of the viewport, not
  // while the page loads: on a phone, building its matrix is the longest task
  // of the page, and an explorer further down costs the first view nothing.
  function start() {
    var roots = document.querySelectorAll(".convmat-explorer");
    if (!("IntersectionObserver" in window)) {
      Array.prototype.forEach.call(roots, build);
      return;
    }
    var watcher = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            watcher.unobserve(entry.target);
            build(entry.target);
          }
        });
      },
      { rootMargin: "100% 0px" }
    );
    Array.prototype.forEach.call(roots, function (root) {
      watcher.observe(root);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
