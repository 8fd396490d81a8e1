/*
 * Matrix explorer in two dimensions: an image convolution drawn as its
 * doubly block Toeplitz matrix.
 *
 * Plain JavaScript, no library, no network: it turns every
 * <div class="convmat-explorer2d"> on the page into a widget with controls
 * for the input size h x w, the kernel size kh x kw and, per axis, the zero
 * padding, the stride and the dilation.  It draws three linked views: the
 * input grid with its ring of padding, the output grid and the matrix M with
 * b = M a, where a and b are the images read row after row (C order).  M has
 * one row per output pixel and one column per input pixel; lines cut it into
 * blocks, one per (output row, image row) pair.
 *
 * Choosing an output highlights its row of M, the window it reads and the
 * taps that land in the padding; choosing an input highlights its column of
 * M and every output that reads it.  Symbols are 1-based as in the book
 * (w with subscript 1,1 is the top-left tap); the data attributes are
 * 0-based flat indices, as in convmat.conv_index.
 *
 * The rule is the one of convmat.conv_index (tests/test_explorer2d.py checks
 * every cell against it): output (i, j) reads the padded position
 * (i*sh + r*dh, j*sw + c*dw) through tap (r, c), i.e. input
 * (i*sh + r*dh - ph, j*sw + c*dw - pw); taps that land in the padding are
 * absent from the matrix.
 *
 * The container's data attributes give the starting values and always hold
 * the current ones: data-h, data-w, data-kh, data-kw, data-padding,
 * data-stride, data-dilation (one number, or "vertical,horizontal" where
 * the axes differ) and data-entries ("symbols" or "numbers").  Every matrix
 * cell carries data-row, data-col and data-tap (the 0-based row-major index
 * of the kernel entry it holds, empty for a zero).
 */
(function () {
  "use strict";

  // Each pair of controls: the key of the state, its range and its label.
  var GROUPS = [
    {
      legend: "Input size",
      attr: null,
      fields: [
        { key: "h", min: 1, max: 6, start: 3, label: ["Input height ", "h"] },
        { key: "w", min: 1, max: 6, start: 3, label: ["Input width ", "w"] },
      ],
    },
    {
      legend: "Kernel size",
      attr: null,
      fields: [
        { key: "kh", min: 1, max: 4, start: 2, label: ["Kernel height ", "k", "h"] },
        { key: "kw", min: 1, max: 4, start: 2, label: ["Kernel width ", "k", "w"] },
      ],
    },
    {
      legend: "Padding",
      attr: "padding",
      fields: [
        { key: "ph", min: 0, max: 3, start: 0, label: ["Padding top and bottom ", "p", "h"] },
        { key: "pw", min: 0, max: 3, start: 0, label: ["Padding left and right ", "p", "w"] },
      ],
    },
    {
      legend: "Stride",
      attr: "stride",
      fields: [
        { key: "sh", min: 1, max: 3, start: 1, label: ["Stride down ", "s", "h"] },
        { key: "sw", min: 1, max: 3, start: 1, label: ["Stride across ", "s", "w"] },
      ],
    },
    {
      legend: "Dilation",
      attr: "dilation",
      fields: [
        { key: "dh", min: 1, max: 3, start: 1, label: ["Dilation down ", "d", "h"] },
        { key: "dw", min: 1, max: 3, start: 1, label: ["Dilation across ", "d", "w"] },
      ],
    },
  ];
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
    append(node, children);
    return node;
  }

  function append(node, children) {
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) {
        return;
      }
      node.appendChild(
        typeof child === "string" || typeof child === "number"
          ? document.createTextNode(String(child))
          : child
      );
    });
    return node;
  }

  /* A letter with a subscript: sym("a", 2, 3) is a<sub>2,3</sub> (text "a2,3"). */
  function sym(letter, i, j) {
    return el("span", { className: "cm2-sym" }, [
      letter,
      el("sub", null, [j === undefined ? String(i) : i + "," + j]),
    ]);
  }

  /* A variable of a formula: v("p", "h") is <var>p</var><sub>h</sub>. */
  function v(letter, sub) {
    var name = el("var", { text: letter });
    return sub ? el("span", null, [name, el("sub", { text: sub })]) : name;
  }

  function clamp(value, field) {
    var n = parseInt(value, 10);
    if (isNaN(n)) {
      return null;
    }
    return Math.min(field.max, Math.max(field.min, n));
  }

  /* "1" or "1,2" (vertical, horizontal) -> [1, 1] or [1, 2]; [] if absent. */
  function pairOf(text) {
    if (text === undefined || text === null || text === "") {
      return [];
    }
    var parts = String(text).split(",");
    return parts.length === 1 ? [parts[0], parts[0]] : [parts[0], parts[1]];
  }

  function joinWords(words) {
    if (words.length < 2) {
      return words.join("");
    }
    return words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
  }

  /*
   * The convolution's index map along one axis: for every output o and tap
   * t, the padded position o*s + t*d and the input index (null in padding).
   */
  function axisMap(n, k, p, s, d) {
    var span = d * (k - 1) + 1;
    var room = n + 2 * p - span;
    var nOut = room < 0 ? 0 : Math.floor(room / s) + 1;
    var pos = [];
    for (var o = 0; o < nOut; o++) {
      var row = [];
      for (var t = 0; t < k; t++) {
        var q = o * s + t * d;
        row.push({ pos: q, idx: q - p >= 0 && q - p < n ? q - p : null });
      }
      pos.push(row);
    }
    return { nOut: nOut, span: span, pos: pos };
  }

  /*
   * The index map of the 2-D convolution, with rows (outputs), columns
   * (inputs) and taps flattened in C order, like convmat.conv_index.
   * byRow[r] lists every tap of output r (in padding or not); byCol[c] the
   * (row, tap) pairs of the outputs that read input c.
   */
  function convMap(st) {
    var ax = [
      axisMap(st.h, st.kh, st.ph, st.sh, st.dh),
      axisMap(st.w, st.kw, st.pw, st.sw, st.dw),
    ];
    var hOut = ax[0].nOut,
      wOut = ax[1].nOut;
    var byRow = [],
      byCol = [];
    for (var c = 0; c < st.h * st.w; c++) {
      byCol.push([]);
    }
    for (var i = 0; i < hOut; i++) {
      for (var j = 0; j < wOut; j++) {
        var r = i * wOut + j;
        var taps = [];
        for (var ti = 0; ti < st.kh; ti++) {
          for (var tj = 0; tj < st.kw; tj++) {
            var y = ax[0].pos[i][ti],
              x = ax[1].pos[j][tj];
            var inside = y.idx !== null && x.idx !== null;
            var entry = {
              tap: ti * st.kw + tj,
              ti: ti,
              tj: tj,
              pi: y.pos,
              pj: x.pos,
              col: inside ? y.idx * st.w + x.idx : null,
            };
            taps.push(entry);
            if (inside) {
              byCol[entry.col].push({ row: r, tap: entry.tap, ti: ti, tj: tj });
            }
          }
        }
        byRow.push(taps);
      }
    }
    return { axes: ax, hOut: hOut, wOut: wOut, byRow: byRow, byCol: byCol };
  }

  function Explorer(root) {
    this.root = root;
    this.id = "cm2-" + ++counter;
    var st = (this.state = {});
    var data = root.dataset;
    GROUPS.forEach(function (group) {
      var given = group.attr
        ? pairOf(data[group.attr])
        : [data[group.fields[0].key], data[group.fields[1].key]];
      group.fields.forEach(function (field, axis) {
        var value = clamp(given[axis], field);
        st[field.key] = value === null ? field.start : value;
      });
    });
    this.numbers = data.entries === "numbers";
    var start = parseInt(data.output, 10);
    this.selection = { kind: "out", i: 0, j: 0 };
    if (!isNaN(start) && start > 0) {
      // data-output="r" chooses output r (1-based, row-major) at start
      this.startOutput = start - 1;
    }
    this.build();
    this.render();
  }

  Explorer.prototype.build = function () {
    var self = this;
    var root = this.root;
    root.textContent = "";
    root.classList.add("cm2");

    // One row per option: its name, then the vertical and the horizontal
    // value.  Each menu's label starts with words that only screen readers
    // see ("Stride down"), so that its name says what it sets.
    var controls = el("fieldset", { className: "cm2-controls" }, [
      el("legend", { text: "Convolution settings" }),
    ]);
    var table = el("div", { className: "cm2-settings" }, [
      el("div", { className: "cm2-setting cm2-settings-head", "aria-hidden": "true" }, [
        el("span"),
        el("span", { text: "down" }),
        el("span", { text: "across" }),
      ]),
    ]);
    this.inputs = {};
    GROUPS.forEach(function (group) {
      var nameId = self.id + "-" + group.fields[0].key + "-name";
      var row = el(
        "div",
        { className: "cm2-setting", role: "group", "aria-labelledby": nameId },
        [el("span", { className: "cm2-setting-name", id: nameId, text: group.legend })]
      );
      group.fields.forEach(function (field) {
        var id = self.id + "-" + field.key;
        var select = el("select", { id: id, "data-setting": field.key });
        for (var n = field.min; n <= field.max; n++) {
          select.appendChild(el("option", { value: n, text: String(n) }));
        }
        select.value = String(self.state[field.key]);
        select.addEventListener("change", function () {
          var value = clamp(select.value, field);
          if (value !== null) {
            self.state[field.key] = value;
            self.render();
          }
        });
        self.inputs[field.key] = select;
        var label = field.label;
        row.appendChild(
          el("span", { className: "cm2-field" }, [
            el("label", { for: id }, [
              el("span", { className: "cm2-visually-hidden", text: label[0] }),
              label.length === 2 ? v(label[1]) : v(label[1], label[2]),
            ]),
            select,
          ])
        );
      });
      table.appendChild(row);
    });
    controls.appendChild(table);

    // Symbols or numbers in the matrix: two radio buttons.
    var mode = el("fieldset", { className: "cm2-mode" }, [
      el("legend", { text: "Entries of M:" }),
    ]);
    [
      ["symbols", ["symbols ", sym("w", 1, 1), ", \u2026"]],
      ["numbers", ["numbers of the example kernel"]],
    ].forEach(function (choice) {
      var id = self.id + "-entries-" + choice[0];
      var radio = el("input", {
        type: "radio",
        id: id,
        name: self.id + "-entries",
        value: choice[0],
        "data-setting": "entries",
      });
      radio.checked = (choice[0] === "numbers") === self.numbers;
      radio.addEventListener("change", function () {
        if (radio.checked) {
          self.numbers = radio.value === "numbers";
          self.render();
        }
      });
      mode.appendChild(
        el("div", { className: "cm2-radio" }, [
          radio,
          el("label", { for: id }, choice[1]),
        ])
      );
    });
    controls.appendChild(mode);
    root.appendChild(controls);

    this.shape = el("div", { className: "cm2-shape" });
    root.appendChild(this.shape);

    // The grids: input (with padding), kernel, output.
    this.inputGrid = el("div", {
      className: "cm2-grid cm2-input",
      role: "group",
      "aria-labelledby": this.id + "-in",
    });
    this.inputGrid.addEventListener("keydown", function (event) {
      self.onKey(event, "in");
    });
    this.kernelGrid = el("div", {
      className: "cm2-grid cm2-kernel",
      role: "list",
      "aria-labelledby": this.id + "-k",
    });
    this.outputGrid = el("div", {
      className: "cm2-grid cm2-output",
      role: "group",
      "aria-labelledby": this.id + "-out",
    });
    this.outputGrid.addEventListener("keydown", function (event) {
      self.onKey(event, "out");
    });
    function view(id, caption, grid, kind) {
      return el("div", { className: "cm2-view cm2-view-" + kind }, [
        el("p", { className: "cm2-caption", id: id }, caption),
        el("div", { className: "cm2-scroll", "data-scroll": kind }, [grid]),
      ]);
    }
    root.appendChild(
      el("div", { className: "cm2-views" }, [
        view(
          this.id + "-in",
          ["Input ", v("a"), " with its zero padding: choose a pixel"],
          this.inputGrid,
          "input"
        ),
        view(this.id + "-k", ["Kernel ", v("w")], this.kernelGrid, "kernel"),
        view(
          this.id + "-out",
          ["Output ", v("b"), ": choose a pixel"],
          this.outputGrid,
          "output"
        ),
      ])
    );

    this.description = el("p", {
      className: "cm2-description",
      "aria-live": "polite",
      "aria-atomic": "true",
    });
    root.appendChild(this.description);

    root.appendChild(
      el("p", { className: "cm2-caption", id: this.id + "-m" }, [
        "The matrix ",
        v("M"),
        " of ",
        v("b"),
        " = ",
        v("M"),
        v("a"),
        ": one row per output pixel, one column per input pixel, both read " +
          "row after row; the lines mark one block per output row and image row",
      ])
    );
    this.table = el("table", { className: "cm2-matrix" });
    this.matrixBox = el(
      "div",
      {
        className: "cm2-scroll cm2-matrix-box",
        tabindex: 0,
        role: "region",
        "aria-labelledby": this.id + "-m",
      },
      [this.table]
    );
    root.appendChild(this.matrixBox);
  };

  /* The settings as data attributes: "1" or "vertical,horizontal". */
  Explorer.prototype.publish = function () {
    var st = this.state;
    var data = this.root.dataset;
    GROUPS.forEach(function (group) {
      var a = st[group.fields[0].key],
        b = st[group.fields[1].key];
      if (group.attr) {
        data[group.attr] = a === b ? String(a) : a + "," + b;
      } else {
        data[group.fields[0].key] = String(a);
        data[group.fields[1].key] = String(b);
      }
    });
    data.entries = this.numbers ? "numbers" : "symbols";
    data.hOut = String(this.map.hOut);
    data.wOut = String(this.map.wOut);
  };

  Explorer.prototype.render = function () {
    var st = this.state;
    this.map = convMap(st);
    this.publish();
    this.renderShape();
    var empty = this.map.hOut === 0 || this.map.wOut === 0;
    this.root.classList.toggle("cm2-empty", empty);
    this.renderInput();
    this.renderKernel();
    this.renderOutput();
    this.renderMatrix();
    var sel = this.selection;
    if (this.startOutput !== undefined && !empty) {
      sel = {
        kind: "out",
        i: Math.floor(this.startOutput / this.map.wOut),
        j: this.startOutput % this.map.wOut,
      };
      this.startOutput = undefined;
    }
    this.select(sel.kind, sel.i, sel.j, false);
  };

  /*
   * One line of the output-size formula, with the numbers filled in: three
   * pieces that a narrow screen wraps between rather than inside.
   */
  function sizeLine(a, n, k, p, s, d, nOut) {
    var room = n + 2 * p - d * (k - 1) - 1;
    var piece = function (parts) {
      return el("span", { className: "cm2-piece" }, parts);
    };
    return el("p", { className: "cm2-formula" }, [
      piece([
        v(a === "h" ? "h" : "w", "out"),
        " = \u230a(",
        v(a),
        " + 2",
        v("p", a),
        " " + MINUS + " ",
        v("d", a),
        "(",
        v("k", a),
        " " + MINUS + " 1) " + MINUS + " 1)/",
        v("s", a),
        "\u230b + 1",
      ]),
      " ",
      piece([
        "= \u230a(" +
          n +
          " + " +
          2 * p +
          " " +
          MINUS +
          " " +
          d * (k - 1) +
          " " +
          MINUS +
          " 1)/" +
          s +
          "\u230b + 1",
      ]),
      " ",
      piece([room < 0 ? "< 1: no window fits" : "= " + nOut]),
    ]);
  }

  Explorer.prototype.renderShape = function () {
    var st = this.state;
    var map = this.map;
    var box = this.shape;
    box.textContent = "";
    box.appendChild(sizeLine("h", st.h, st.kh, st.ph, st.sh, st.dh, map.hOut));
    box.appendChild(sizeLine("w", st.w, st.kw, st.pw, st.sw, st.dw, map.wOut));
    if (map.hOut > 0 && map.wOut > 0) {
      box.appendChild(
        el("p", null, [
          "So ",
          v("M"),
          " is (" +
            map.hOut +
            DOT +
            map.wOut +
            ") " +
            TIMES +
            " (" +
            st.h +
            DOT +
            st.w +
            ") = " +
            map.hOut * map.wOut +
            " " +
            TIMES +
            " " +
            st.h * st.w +
            ": a grid of " +
            map.hOut +
            " " +
            TIMES +
            " " +
            st.h +
            " blocks (output rows " +
            TIMES +
            " image rows), each " +
            map.wOut +
            " " +
            TIMES +
            " " +
            st.w +
            ".",
        ])
      );
    } else {
      var axes = [];
      if (map.hOut === 0) {
        axes.push(
          "the kernel spans " +
            map.axes[0].span +
            " rows but the padded input has " +
            (st.h + 2 * st.ph)
        );
      }
      if (map.wOut === 0) {
        axes.push(
          "the kernel spans " +
            map.axes[1].span +
            " columns but the padded input has " +
            (st.w + 2 * st.pw)
        );
      }
      box.appendChild(
        el("p", { className: "cm2-none" }, [
          "No output: " +
            joinWords(axes) +
            " (convmat raises a ValueError). Make the input larger, the " +
            "kernel or the dilation smaller, or the padding larger.",
        ])
      );
    }
  };

  /* The text of tap t: w with subscript r,c, or its example number t + 1. */
  Explorer.prototype.tapNode = function (ti, tj) {
    if (this.numbers) {
      return el("span", { className: "cm2-num" }, [
        String(ti * this.state.kw + tj + 1),
      ]);
    }
    return sym("w", ti + 1, tj + 1);
  };

  Explorer.prototype.renderInput = function () {
    var self = this;
    var st = this.state;
    var grid = this.inputGrid;
    grid.textContent = "";
    var rows = st.h + 2 * st.ph,
      cols = st.w + 2 * st.pw;
    grid.style.gridTemplateColumns = "repeat(" + cols + ", auto)";
    this.inputButtons = [];
    this.paddedCells = {}; // "pi,pj" -> cell
    for (var pi = 0; pi < rows; pi++) {
      for (var pj = 0; pj < cols; pj++) {
        var i = pi - st.ph,
          j = pj - st.pw;
        var isPad = i < 0 || i >= st.h || j < 0 || j >= st.w;
        var mark = el("span", { className: "cm2-mark", "aria-hidden": "true" });
        var cell;
        if (isPad) {
          cell = el(
            "span",
            { className: "cm2-cell cm2-pad", "data-pi": pi, "data-pj": pj },
            [el("span", { className: "cm2-main", text: "0" }), mark]
          );
        } else {
          var c = i * st.w + j;
          cell = el(
            "button",
            {
              type: "button",
              className: "cm2-cell cm2-in",
              "data-col": c,
              "data-pi": pi,
              "data-pj": pj,
              "aria-pressed": "false",
              tabindex: -1,
            },
            [el("span", { className: "cm2-main" }, [sym("a", i + 1, j + 1)]), mark]
          );
          cell.addEventListener(
            "click",
            (function (ii, jj) {
              return function () {
                self.select("in", ii, jj, true);
              };
            })(i, j)
          );
          this.inputButtons.push(cell);
        }
        cell.cm2Mark = mark;
        this.paddedCells[pi + "," + pj] = cell;
        grid.appendChild(cell);
      }
    }
  };

  Explorer.prototype.renderKernel = function () {
    var st = this.state;
    var grid = this.kernelGrid;
    grid.textContent = "";
    grid.style.gridTemplateColumns = "repeat(" + st.kw + ", auto)";
    this.kernelCells = [];
    for (var ti = 0; ti < st.kh; ti++) {
      for (var tj = 0; tj < st.kw; tj++) {
        var cell = el(
          "span",
          {
            className: "cm2-cell cm2-tapcell",
            role: "listitem",
            "data-tap": ti * st.kw + tj,
            "aria-label": this.numbers
              ? "w" + (ti + 1) + "," + (tj + 1) + " = " + (ti * st.kw + tj + 1)
              : null,
          },
          [el("span", { className: "cm2-main" }, [this.tapNode(ti, tj)])]
        );
        this.kernelCells.push(cell);
        grid.appendChild(cell);
      }
    }
  };

  Explorer.prototype.renderOutput = function () {
    var self = this;
    var map = this.map;
    var grid = this.outputGrid;
    grid.textContent = "";
    grid.style.gridTemplateColumns = "repeat(" + Math.max(1, map.wOut) + ", auto)";
    this.outputButtons = [];
    if (map.hOut === 0 || map.wOut === 0) {
      return;
    }
    for (var i = 0; i < map.hOut; i++) {
      for (var j = 0; j < map.wOut; j++) {
        var mark = el("span", { className: "cm2-mark", "aria-hidden": "true" });
        var button = el(
          "button",
          {
            type: "button",
            className: "cm2-cell cm2-out",
            "data-row": i * map.wOut + j,
            "aria-pressed": "false",
            tabindex: -1,
          },
          [el("span", { className: "cm2-main" }, [sym("b", i + 1, j + 1)]), mark]
        );
        button.cm2Mark = mark;
        button.addEventListener(
          "click",
          (function (ii, jj) {
            return function () {
              self.select("out", ii, jj, true);
            };
          })(i, j)
        );
        this.outputButtons.push(button);
        grid.appendChild(button);
      }
    }
  };

  Explorer.prototype.renderMatrix = function () {
    var self = this;
    var st = this.state;
    var map = this.map;
    var table = this.table;
    table.textContent = "";
    this.matrixRows = [];
    this.matrixCols = []; // the cells of each column, header included
    this.rowHeads = [];
    if (map.hOut === 0 || map.wOut === 0) {
      return;
    }
    var nCols = st.h * st.w;
    table.appendChild(
      el("caption", { className: "cm2-visually-hidden" }, [
        "Matrix M: the row of output b",
        el("sub", { text: "i,j" }),
        " holds the kernel entry that multiplies each input a",
        el("sub", { text: "k,l" }),
      ])
    );
    // Two header rows: the image row a group of columns belongs to, then
    // the input pixel of each column.
    var groups = el("tr", { className: "cm2-groups" }, [
      el("td", { className: "cm2-corner" }),
    ]);
    for (var gi = 0; gi < st.h; gi++) {
      groups.appendChild(
        el(
          "th",
          {
            scope: "colgroup",
            colspan: st.w,
            className: "cm2-block-end",
          },
          ["image row " + (gi + 1)]
        )
      );
    }
    var head = el("tr", null, [el("td", { className: "cm2-corner" })]);
    for (var c = 0; c < nCols; c++) {
      var i = Math.floor(c / st.w),
        j = c % st.w;
      var th = el(
        "th",
        {
          scope: "col",
          "data-col": c,
          className: j === st.w - 1 ? "cm2-block-end" : null,
        },
        [sym("a", i + 1, j + 1)]
      );
      th.addEventListener(
        "click",
        (function (ii, jj) {
          return function () {
            self.select("in", ii, jj, false);
          };
        })(i, j)
      );
      head.appendChild(th);
      this.matrixCols.push([th]);
    }
    table.appendChild(el("thead", null, [groups, head]));

    var body = el("tbody");
    map.byRow.forEach(function (taps, r) {
      var oi = Math.floor(r / map.wOut),
        oj = r % map.wOut;
      var byCol = {};
      taps.forEach(function (entry) {
        if (entry.col !== null) {
          byCol[entry.col] = entry;
        }
      });
      var rowHead = el("th", { scope: "row", "data-row": r }, [
        sym("b", oi + 1, oj + 1),
      ]);
      var tr = el(
        "tr",
        {
          "data-row": r,
          className: oj === map.wOut - 1 ? "cm2-block-end" : null,
        },
        [rowHead]
      );
      self.rowHeads.push(rowHead);
      for (var c = 0; c < nCols; c++) {
        var entry = byCol[c];
        var td = el(
          "td",
          {
            className:
              (entry ? "cm2-tap" : "cm2-zero") +
              (c % st.w === st.w - 1 ? " cm2-block-end" : ""),
            "data-row": r,
            "data-col": c,
            "data-tap": entry ? entry.tap : "",
          },
          [entry ? self.tapNode(entry.ti, entry.tj) : "0"]
        );
        self.matrixCols[c].push(td);
        tr.appendChild(td);
      }
      // Clicking a row is a shortcut for its output button (mouse only;
      // keyboard users have the buttons).
      tr.addEventListener("click", function () {
        self.select("out", oi, oj, false);
      });
      self.matrixRows.push(tr);
      body.appendChild(tr);
    });
    table.appendChild(body);
  };

  /* Remove every highlight set by the last selection. */
  Explorer.prototype.clear = function () {
    (this.lit || []).forEach(function (item) {
      item[0].classList.remove(item[1]);
    });
    this.lit = [];
    (this.marked || []).forEach(function (cell) {
      cell.cm2Mark.textContent = "";
      cell.removeAttribute("data-tap");
    });
    this.marked = [];
    this.inputButtons.forEach(function (b) {
      b.setAttribute("aria-pressed", "false");
      b.tabIndex = -1;
    });
    this.outputButtons.forEach(function (b) {
      b.setAttribute("aria-pressed", "false");
      b.tabIndex = -1;
    });
  };

  Explorer.prototype.light = function (node, className) {
    if (node) {
      node.classList.add(className);
      this.lit.push([node, className]);
    }
  };

  Explorer.prototype.mark = function (cell, ti, tj) {
    cell.cm2Mark.textContent = "";
    cell.cm2Mark.appendChild(this.tapNode(ti, tj));
    cell.setAttribute("data-tap", ti * this.state.kw + tj);
    this.marked.push(cell);
  };

  /*
   * Choose output (i, j) (kind "out") or input (i, j) (kind "in"), clamped
   * to the current sizes, and highlight what it touches.
   */
  Explorer.prototype.select = function (kind, i, j, focus) {
    var st = this.state;
    var map = this.map;
    this.clear();
    var data = this.root.dataset;
    data.selectedRow = "";
    data.selectedCol = "";
    var rows = kind === "out" ? map.hOut : st.h;
    var cols = kind === "out" ? map.wOut : st.w;
    if (kind === "out" && (rows === 0 || cols === 0)) {
      // no output exists: keep the choice for when one does, show the input
      this.selection = { kind: kind, i: i, j: j };
      if (this.inputButtons[0]) {
        this.inputButtons[0].tabIndex = 0;
      }
      this.description.textContent = "";
      append(this.description, [this.shape.lastChild.textContent]);
      return;
    }
    i = Math.max(0, Math.min(rows - 1, i));
    j = Math.max(0, Math.min(cols - 1, j));
    this.selection = { kind: kind, i: i, j: j };
    if (kind === "out") {
      this.selectOutput(i * map.wOut + j, focus);
    } else {
      this.selectInput(i * st.w + j, focus);
    }
    // Roving focus: one tab stop per grid, the chosen pixel (or the first).
    if (kind !== "in" && this.inputButtons[0]) {
      this.inputButtons[0].tabIndex = 0;
    }
    if (kind !== "out" && this.outputButtons[0]) {
      this.outputButtons[0].tabIndex = 0;
    }
  };

  Explorer.prototype.selectOutput = function (r, focus) {
    var self = this;
    var st = this.state;
    var map = this.map;
    var oi = Math.floor(r / map.wOut),
      oj = r % map.wOut;
    this.root.dataset.selectedRow = String(r);
    var button = this.outputButtons[r];
    button.setAttribute("aria-pressed", "true");
    button.tabIndex = 0;
    this.light(button, "cm2-on");
    if (focus) {
      button.focus();
    }
    var tr = this.matrixRows[r];
    this.light(tr, "cm2-row-on");
    this.light(this.rowHeads[r], "cm2-hit");
    var terms = [],
      padded = [],
      imageRows = {};
    map.byRow[r].forEach(function (entry) {
      var cell = self.paddedCells[entry.pi + "," + entry.pj];
      self.light(cell, "cm2-window");
      self.mark(cell, entry.ti, entry.tj);
      if (entry.col === null) {
        self.light(cell, "cm2-window-pad");
        self.light(self.kernelCells[entry.tap], "cm2-tap-pad");
        padded.push(entry);
      } else {
        self.light(self.kernelCells[entry.tap], "cm2-tap-on");
        self.light(self.matrixCols[entry.col][0], "cm2-hit");
        self.light(self.matrixCols[entry.col][r + 1], "cm2-hit");
        terms.push(entry);
        imageRows[Math.floor(entry.col / st.w)] = true;
      }
    });
    this.reveal(tr.children[1 + (terms.length ? terms[0].col : 0)], tr);

    // The sentence: b_{i,j} = w_{1,1} a_{.,.} + ...
    var out = function () {
      return sym("b", oi + 1, oj + 1);
    };
    var parts = [out(), " = "];
    if (terms.length === 0) {
      parts.push("0");
    }
    terms.forEach(function (entry, n) {
      var ai = Math.floor(entry.col / st.w),
        aj = entry.col % st.w;
      if (n > 0) {
        parts.push(" + ");
      }
      parts.push(sym("w", entry.ti + 1, entry.tj + 1), DOT, sym("a", ai + 1, aj + 1));
    });
    if (this.numbers && terms.length) {
      // the same sum with the example kernel's numbers
      parts.push(" = ");
      terms.forEach(function (entry, n) {
        if (n > 0) {
          parts.push(" + ");
        }
        parts.push(
          String(entry.tap + 1),
          DOT,
          sym("a", Math.floor(entry.col / st.w) + 1, (entry.col % st.w) + 1)
        );
      });
    }
    parts.push(". ");
    if (padded.length) {
      parts.push(padded.length === 1 ? "Tap " : "Taps ");
      padded.forEach(function (entry, n) {
        if (n > 0) {
          parts.push(n === padded.length - 1 ? " and " : ", ");
        }
        parts.push(sym("w", entry.ti + 1, entry.tj + 1));
      });
      parts.push(
        (padded.length === 1 ? " lands" : " land") +
          " in the zero padding, so " +
          (padded.length === 1 ? "it is" : "they are") +
          " left out. "
      );
    }
    var rowsRead = Object.keys(imageRows)
      .map(Number)
      .sort(function (x, y) {
        return x - y;
      })
      .map(function (x) {
        return String(x + 1);
      });
    parts.push(
      "Row " +
        (r + 1) +
        " of M has " +
        terms.length +
        " non-zero " +
        (terms.length === 1 ? "entry" : "entries") +
        " out of " +
        st.h * st.w +
        (rowsRead.length
          ? ", in the column " +
            (rowsRead.length === 1 ? "block" : "blocks") +
            " of image " +
            (rowsRead.length === 1 ? "row " : "rows ") +
            joinWords(rowsRead) +
            "."
          : ".")
    );
    this.description.textContent = "";
    append(this.description, parts);
  };

  Explorer.prototype.selectInput = function (c, focus) {
    var self = this;
    var st = this.state;
    var map = this.map;
    var ai = Math.floor(c / st.w),
      aj = c % st.w;
    this.root.dataset.selectedCol = String(c);
    var button = this.inputButtons[c];
    button.setAttribute("aria-pressed", "true");
    button.tabIndex = 0;
    this.light(button, "cm2-on");
    if (focus) {
      button.focus();
    }
    var column = this.matrixCols[c] || [];
    column.forEach(function (cell) {
      self.light(cell, "cm2-col-on");
    });
    this.light(column[0], "cm2-hit");
    var readers = map.byCol[c];
    readers.forEach(function (entry) {
      var out = self.outputButtons[entry.row];
      self.light(out, "cm2-reads");
      self.mark(out, entry.ti, entry.tj);
      self.light(column[entry.row + 1], "cm2-hit");
      self.light(self.rowHeads[entry.row], "cm2-hit");
    });
    if (column.length) {
      this.reveal(column[readers.length ? readers[0].row + 1 : 0], null);
    }

    var a = function () {
      return sym("a", ai + 1, aj + 1);
    };
    var parts = [];
    if (!readers.length) {
      parts.push(
        a(),
        " is read by no output: no window covers it, so column " +
          (c + 1) +
          " of M is all zeros."
      );
    } else {
      parts.push(
        a(),
        " is read by " +
          readers.length +
          (readers.length === 1 ? " output: " : " outputs: ")
      );
      readers.forEach(function (entry, n) {
        var oi = Math.floor(entry.row / map.wOut),
          oj = entry.row % map.wOut;
        if (n > 0) {
          parts.push(n === readers.length - 1 ? " and " : ", ");
        }
        parts.push(
          sym("b", oi + 1, oj + 1),
          " through ",
          sym("w", entry.ti + 1, entry.tj + 1)
        );
      });
      parts.push(
        ". Column " +
          (c + 1) +
          " of M holds these taps; it is row " +
          (c + 1) +
          " of the transpose M",
        el("sup", { text: "T" }),
        ", the matrix of the transposed convolution."
      );
    }
    this.description.textContent = "";
    append(this.description, parts);
  };

  /* Scroll the matrix box (not the page) so that a cell is in view. */
  Explorer.prototype.reveal = function (cell, row) {
    var box = this.matrixBox;
    if (!cell || !box.clientWidth) {
      return;
    }
    var boxRect = box.getBoundingClientRect();
    var rect = cell.getBoundingClientRect();
    var head = this.table.tHead ? this.table.tHead.getBoundingClientRect() : null;
    var side = row ? row.firstChild.getBoundingClientRect().width : 0;
    var top = boxRect.top + (head ? head.height : 0);
    if (rect.top < top) {
      box.scrollTop -= top - rect.top;
    } else if (rect.bottom > boxRect.bottom) {
      box.scrollTop += rect.bottom - boxRect.bottom;
    }
    var left = boxRect.left + side;
    if (rect.left < left) {
      box.scrollLeft -= left - rect.left;
    } else if (rect.right > boxRect.right) {
      box.scrollLeft += rect.right - boxRect.right;
    }
  };

  /* Arrow keys move inside a grid, Home and End go to its first and last pixel. */
  Explorer.prototype.onKey = function (event, kind) {
    var st = this.state;
    var map = this.map;
    var rows = kind === "out" ? map.hOut : st.h;
    var cols = kind === "out" ? map.wOut : st.w;
    if (!rows || !cols) {
      return;
    }
    var sel = this.selection;
    var i = sel.kind === kind ? sel.i : 0,
      j = sel.kind === kind ? sel.j : 0;
    if (sel.kind !== kind) {
      // the first key in a grid that is not the chosen one starts from the
      // pixel that has focus
      var focused = event.target.closest("button");
      var list = kind === "out" ? this.outputButtons : this.inputButtons;
      var at = list.indexOf(focused);
      if (at >= 0) {
        i = Math.floor(at / cols);
        j = at % cols;
      }
    }
    switch (event.key) {
      case "ArrowRight":
        j = Math.min(cols - 1, j + 1);
        break;
      case "ArrowLeft":
        j = Math.max(0, j - 1);
        break;
      case "ArrowDown":
        i = Math.min(rows - 1, i + 1);
        break;
      case "ArrowUp":
        i = Math.max(0, i - 1);
        break;
      case "Home":
        i = 0;
        j = 0;
        break;
      case "End":
        i = rows - 1;
        j = cols - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.select(kind, i, j, true);
  };

  function build(root) {
    if (!root.cm2Explorer) {
      root.cm2Explorer = new Explorer(root);
    }
  }

  // Each explorer is built when it comes within a screen of the viewport, not
  // while the page loads: on a phone, building its matrix is the longest task
  // of the page, and an explorer further down costs the first view nothing.
  function start() {
    var roots = document.querySelectorAll(".convmat-explorer2d");
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
