'use strict';
module.exports = require('./load.cjs')('sim', () => require('../dist/sim/index.js'));
