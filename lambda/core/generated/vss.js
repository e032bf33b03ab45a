/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const vss = $root.vss = (() => {

    /**
     * Namespace vss.
     * @exports vss
     * @namespace
     */
    const vss = {};

    vss.GetObjectRequest = (function() {

        /**
         * Properties of a GetObjectRequest.
         * @typedef {Object} vss.GetObjectRequest.$Properties
         * @property {string|null} [storeId] GetObjectRequest storeId
         * @property {string|null} [key] GetObjectRequest key
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a GetObjectRequest.
         * @memberof vss
         * @interface IGetObjectRequest
         * @augments vss.GetObjectRequest.$Properties
         * @deprecated Use vss.GetObjectRequest.$Properties instead.
         */

        /**
         * Shape of a GetObjectRequest.
         * @typedef {vss.GetObjectRequest.$Properties} vss.GetObjectRequest.$Shape
         */

        /**
         * Constructs a new GetObjectRequest.
         * @memberof vss
         * @classdesc Represents a GetObjectRequest.
         * @constructor
         * @param {vss.GetObjectRequest.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const GetObjectRequest = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * GetObjectRequest storeId.
         * @member {string} storeId
         * @memberof vss.GetObjectRequest
         * @instance
         */
        GetObjectRequest.prototype.storeId = "";

        /**
         * GetObjectRequest key.
         * @member {string} key
         * @memberof vss.GetObjectRequest
         * @instance
         */
        GetObjectRequest.prototype.key = "";

        /**
         * Encodes the specified GetObjectRequest message. Does not implicitly {@link vss.GetObjectRequest.verify|verify} messages.
         * @function encode
         * @memberof vss.GetObjectRequest
         * @static
         * @param {vss.GetObjectRequest.$Properties} message GetObjectRequest message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        GetObjectRequest.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.storeId != null && $Object.hasOwnProperty.call(message, "storeId") && message.storeId !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.storeId);
            if (message.key != null && $Object.hasOwnProperty.call(message, "key") && message.key !== "")
                writer.uint32(/* id 2, wireType 2 =*/18).string(message.key);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a GetObjectRequest message from the specified reader or buffer.
         * @function decode
         * @memberof vss.GetObjectRequest
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.GetObjectRequest & vss.GetObjectRequest.$Shape} GetObjectRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        GetObjectRequest.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.GetObjectRequest();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.storeId = value;
                        else
                            delete message.storeId;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.key = value;
                        else
                            delete message.key;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return GetObjectRequest;
    })();

    vss.GetObjectResponse = (function() {

        /**
         * Properties of a GetObjectResponse.
         * @typedef {Object} vss.GetObjectResponse.$Properties
         * @property {vss.KeyValue.$Properties|null} [value] GetObjectResponse value
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a GetObjectResponse.
         * @memberof vss
         * @interface IGetObjectResponse
         * @augments vss.GetObjectResponse.$Properties
         * @deprecated Use vss.GetObjectResponse.$Properties instead.
         */

        /**
         * Shape of a GetObjectResponse.
         * @typedef {vss.GetObjectResponse.$Properties} vss.GetObjectResponse.$Shape
         */

        /**
         * Constructs a new GetObjectResponse.
         * @memberof vss
         * @classdesc Represents a GetObjectResponse.
         * @constructor
         * @param {vss.GetObjectResponse.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const GetObjectResponse = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * GetObjectResponse value.
         * @member {vss.KeyValue.$Properties|null|undefined} value
         * @memberof vss.GetObjectResponse
         * @instance
         */
        GetObjectResponse.prototype.value = null;

        /**
         * Encodes the specified GetObjectResponse message. Does not implicitly {@link vss.GetObjectResponse.verify|verify} messages.
         * @function encode
         * @memberof vss.GetObjectResponse
         * @static
         * @param {vss.GetObjectResponse.$Properties} message GetObjectResponse message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        GetObjectResponse.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.value != null && $Object.hasOwnProperty.call(message, "value"))
                $root.vss.KeyValue.encode(message.value, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a GetObjectResponse message from the specified reader or buffer.
         * @function decode
         * @memberof vss.GetObjectResponse
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.GetObjectResponse & vss.GetObjectResponse.$Shape} GetObjectResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        GetObjectResponse.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.GetObjectResponse();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.value = $root.vss.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1, message.value);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return GetObjectResponse;
    })();

    vss.PutObjectRequest = (function() {

        /**
         * Properties of a PutObjectRequest.
         * @typedef {Object} vss.PutObjectRequest.$Properties
         * @property {string|null} [storeId] PutObjectRequest storeId
         * @property {Long|null} [globalVersion] PutObjectRequest globalVersion
         * @property {Array.<vss.KeyValue.$Properties>|null} [transactionItems] PutObjectRequest transactionItems
         * @property {Array.<vss.KeyValue.$Properties>|null} [deleteItems] PutObjectRequest deleteItems
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a PutObjectRequest.
         * @memberof vss
         * @interface IPutObjectRequest
         * @augments vss.PutObjectRequest.$Properties
         * @deprecated Use vss.PutObjectRequest.$Properties instead.
         */

        /**
         * Shape of a PutObjectRequest.
         * @typedef {vss.PutObjectRequest.$Properties} vss.PutObjectRequest.$Shape
         */

        /**
         * Constructs a new PutObjectRequest.
         * @memberof vss
         * @classdesc Represents a PutObjectRequest.
         * @constructor
         * @param {vss.PutObjectRequest.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const PutObjectRequest = function (properties) {
            this.transactionItems = [];
            this.deleteItems = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * PutObjectRequest storeId.
         * @member {string} storeId
         * @memberof vss.PutObjectRequest
         * @instance
         */
        PutObjectRequest.prototype.storeId = "";

        /**
         * PutObjectRequest globalVersion.
         * @member {Long|null|undefined} globalVersion
         * @memberof vss.PutObjectRequest
         * @instance
         */
        PutObjectRequest.prototype.globalVersion = null;

        /**
         * PutObjectRequest transactionItems.
         * @member {Array.<vss.KeyValue.$Properties>} transactionItems
         * @memberof vss.PutObjectRequest
         * @instance
         */
        PutObjectRequest.prototype.transactionItems = $util.emptyArray;

        /**
         * PutObjectRequest deleteItems.
         * @member {Array.<vss.KeyValue.$Properties>} deleteItems
         * @memberof vss.PutObjectRequest
         * @instance
         */
        PutObjectRequest.prototype.deleteItems = $util.emptyArray;

        // OneOf field names bound to virtual getters and setters
        let $oneOfFields;

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(PutObjectRequest.prototype, "_globalVersion", {
            get: $util.oneOfGetter($oneOfFields = ["globalVersion"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        /**
         * Encodes the specified PutObjectRequest message. Does not implicitly {@link vss.PutObjectRequest.verify|verify} messages.
         * @function encode
         * @memberof vss.PutObjectRequest
         * @static
         * @param {vss.PutObjectRequest.$Properties} message PutObjectRequest message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        PutObjectRequest.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.storeId != null && $Object.hasOwnProperty.call(message, "storeId") && message.storeId !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.storeId);
            if (message.globalVersion != null && $Object.hasOwnProperty.call(message, "globalVersion"))
                writer.uint32(/* id 2, wireType 0 =*/16).int64(message.globalVersion);
            if (message.transactionItems != null && message.transactionItems.length)
                for (let i = 0; i < message.transactionItems.length; ++i)
                    $root.vss.KeyValue.encode(message.transactionItems[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
            if (message.deleteItems != null && message.deleteItems.length)
                for (let i = 0; i < message.deleteItems.length; ++i)
                    $root.vss.KeyValue.encode(message.deleteItems[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a PutObjectRequest message from the specified reader or buffer.
         * @function decode
         * @memberof vss.PutObjectRequest
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.PutObjectRequest & vss.PutObjectRequest.$Shape} PutObjectRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        PutObjectRequest.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.PutObjectRequest();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.storeId = value;
                        else
                            delete message.storeId;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        message.globalVersion = reader.int64();
                        message._globalVersion = "globalVersion";
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if (!(message.transactionItems && message.transactionItems.length))
                            message.transactionItems = [];
                        message.transactionItems.push($root.vss.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        if (!(message.deleteItems && message.deleteItems.length))
                            message.deleteItems = [];
                        message.deleteItems.push($root.vss.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return PutObjectRequest;
    })();

    vss.PutObjectResponse = (function() {

        /**
         * Properties of a PutObjectResponse.
         * @typedef {Object} vss.PutObjectResponse.$Properties
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a PutObjectResponse.
         * @memberof vss
         * @interface IPutObjectResponse
         * @augments vss.PutObjectResponse.$Properties
         * @deprecated Use vss.PutObjectResponse.$Properties instead.
         */

        /**
         * Shape of a PutObjectResponse.
         * @typedef {vss.PutObjectResponse.$Properties} vss.PutObjectResponse.$Shape
         */

        /**
         * Constructs a new PutObjectResponse.
         * @memberof vss
         * @classdesc Represents a PutObjectResponse.
         * @constructor
         * @param {vss.PutObjectResponse.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const PutObjectResponse = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * Encodes the specified PutObjectResponse message. Does not implicitly {@link vss.PutObjectResponse.verify|verify} messages.
         * @function encode
         * @memberof vss.PutObjectResponse
         * @static
         * @param {vss.PutObjectResponse.$Properties} message PutObjectResponse message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        PutObjectResponse.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a PutObjectResponse message from the specified reader or buffer.
         * @function decode
         * @memberof vss.PutObjectResponse
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.PutObjectResponse & vss.PutObjectResponse.$Shape} PutObjectResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        PutObjectResponse.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.PutObjectResponse();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                reader.skipType(tag & 7, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return PutObjectResponse;
    })();

    vss.DeleteObjectRequest = (function() {

        /**
         * Properties of a DeleteObjectRequest.
         * @typedef {Object} vss.DeleteObjectRequest.$Properties
         * @property {string|null} [storeId] DeleteObjectRequest storeId
         * @property {vss.KeyValue.$Properties|null} [keyValue] DeleteObjectRequest keyValue
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a DeleteObjectRequest.
         * @memberof vss
         * @interface IDeleteObjectRequest
         * @augments vss.DeleteObjectRequest.$Properties
         * @deprecated Use vss.DeleteObjectRequest.$Properties instead.
         */

        /**
         * Shape of a DeleteObjectRequest.
         * @typedef {vss.DeleteObjectRequest.$Properties} vss.DeleteObjectRequest.$Shape
         */

        /**
         * Constructs a new DeleteObjectRequest.
         * @memberof vss
         * @classdesc Represents a DeleteObjectRequest.
         * @constructor
         * @param {vss.DeleteObjectRequest.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const DeleteObjectRequest = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * DeleteObjectRequest storeId.
         * @member {string} storeId
         * @memberof vss.DeleteObjectRequest
         * @instance
         */
        DeleteObjectRequest.prototype.storeId = "";

        /**
         * DeleteObjectRequest keyValue.
         * @member {vss.KeyValue.$Properties|null|undefined} keyValue
         * @memberof vss.DeleteObjectRequest
         * @instance
         */
        DeleteObjectRequest.prototype.keyValue = null;

        /**
         * Encodes the specified DeleteObjectRequest message. Does not implicitly {@link vss.DeleteObjectRequest.verify|verify} messages.
         * @function encode
         * @memberof vss.DeleteObjectRequest
         * @static
         * @param {vss.DeleteObjectRequest.$Properties} message DeleteObjectRequest message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        DeleteObjectRequest.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.storeId != null && $Object.hasOwnProperty.call(message, "storeId") && message.storeId !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.storeId);
            if (message.keyValue != null && $Object.hasOwnProperty.call(message, "keyValue"))
                $root.vss.KeyValue.encode(message.keyValue, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a DeleteObjectRequest message from the specified reader or buffer.
         * @function decode
         * @memberof vss.DeleteObjectRequest
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.DeleteObjectRequest & vss.DeleteObjectRequest.$Shape} DeleteObjectRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        DeleteObjectRequest.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.DeleteObjectRequest();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.storeId = value;
                        else
                            delete message.storeId;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.keyValue = $root.vss.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1, message.keyValue);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return DeleteObjectRequest;
    })();

    vss.DeleteObjectResponse = (function() {

        /**
         * Properties of a DeleteObjectResponse.
         * @typedef {Object} vss.DeleteObjectResponse.$Properties
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a DeleteObjectResponse.
         * @memberof vss
         * @interface IDeleteObjectResponse
         * @augments vss.DeleteObjectResponse.$Properties
         * @deprecated Use vss.DeleteObjectResponse.$Properties instead.
         */

        /**
         * Shape of a DeleteObjectResponse.
         * @typedef {vss.DeleteObjectResponse.$Properties} vss.DeleteObjectResponse.$Shape
         */

        /**
         * Constructs a new DeleteObjectResponse.
         * @memberof vss
         * @classdesc Represents a DeleteObjectResponse.
         * @constructor
         * @param {vss.DeleteObjectResponse.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const DeleteObjectResponse = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * Encodes the specified DeleteObjectResponse message. Does not implicitly {@link vss.DeleteObjectResponse.verify|verify} messages.
         * @function encode
         * @memberof vss.DeleteObjectResponse
         * @static
         * @param {vss.DeleteObjectResponse.$Properties} message DeleteObjectResponse message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        DeleteObjectResponse.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a DeleteObjectResponse message from the specified reader or buffer.
         * @function decode
         * @memberof vss.DeleteObjectResponse
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.DeleteObjectResponse & vss.DeleteObjectResponse.$Shape} DeleteObjectResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        DeleteObjectResponse.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.DeleteObjectResponse();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                reader.skipType(tag & 7, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return DeleteObjectResponse;
    })();

    vss.ListKeyVersionsRequest = (function() {

        /**
         * Properties of a ListKeyVersionsRequest.
         * @typedef {Object} vss.ListKeyVersionsRequest.$Properties
         * @property {string|null} [storeId] ListKeyVersionsRequest storeId
         * @property {string|null} [keyPrefix] ListKeyVersionsRequest keyPrefix
         * @property {number|null} [pageSize] ListKeyVersionsRequest pageSize
         * @property {string|null} [pageToken] ListKeyVersionsRequest pageToken
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a ListKeyVersionsRequest.
         * @memberof vss
         * @interface IListKeyVersionsRequest
         * @augments vss.ListKeyVersionsRequest.$Properties
         * @deprecated Use vss.ListKeyVersionsRequest.$Properties instead.
         */

        /**
         * Shape of a ListKeyVersionsRequest.
         * @typedef {vss.ListKeyVersionsRequest.$Properties} vss.ListKeyVersionsRequest.$Shape
         */

        /**
         * Constructs a new ListKeyVersionsRequest.
         * @memberof vss
         * @classdesc Represents a ListKeyVersionsRequest.
         * @constructor
         * @param {vss.ListKeyVersionsRequest.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const ListKeyVersionsRequest = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * ListKeyVersionsRequest storeId.
         * @member {string} storeId
         * @memberof vss.ListKeyVersionsRequest
         * @instance
         */
        ListKeyVersionsRequest.prototype.storeId = "";

        /**
         * ListKeyVersionsRequest keyPrefix.
         * @member {string|null|undefined} keyPrefix
         * @memberof vss.ListKeyVersionsRequest
         * @instance
         */
        ListKeyVersionsRequest.prototype.keyPrefix = null;

        /**
         * ListKeyVersionsRequest pageSize.
         * @member {number|null|undefined} pageSize
         * @memberof vss.ListKeyVersionsRequest
         * @instance
         */
        ListKeyVersionsRequest.prototype.pageSize = null;

        /**
         * ListKeyVersionsRequest pageToken.
         * @member {string|null|undefined} pageToken
         * @memberof vss.ListKeyVersionsRequest
         * @instance
         */
        ListKeyVersionsRequest.prototype.pageToken = null;

        // OneOf field names bound to virtual getters and setters
        let $oneOfFields;

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(ListKeyVersionsRequest.prototype, "_keyPrefix", {
            get: $util.oneOfGetter($oneOfFields = ["keyPrefix"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(ListKeyVersionsRequest.prototype, "_pageSize", {
            get: $util.oneOfGetter($oneOfFields = ["pageSize"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(ListKeyVersionsRequest.prototype, "_pageToken", {
            get: $util.oneOfGetter($oneOfFields = ["pageToken"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        /**
         * Encodes the specified ListKeyVersionsRequest message. Does not implicitly {@link vss.ListKeyVersionsRequest.verify|verify} messages.
         * @function encode
         * @memberof vss.ListKeyVersionsRequest
         * @static
         * @param {vss.ListKeyVersionsRequest.$Properties} message ListKeyVersionsRequest message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        ListKeyVersionsRequest.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.storeId != null && $Object.hasOwnProperty.call(message, "storeId") && message.storeId !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.storeId);
            if (message.keyPrefix != null && $Object.hasOwnProperty.call(message, "keyPrefix"))
                writer.uint32(/* id 2, wireType 2 =*/18).string(message.keyPrefix);
            if (message.pageSize != null && $Object.hasOwnProperty.call(message, "pageSize"))
                writer.uint32(/* id 3, wireType 0 =*/24).int32(message.pageSize);
            if (message.pageToken != null && $Object.hasOwnProperty.call(message, "pageToken"))
                writer.uint32(/* id 4, wireType 2 =*/34).string(message.pageToken);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a ListKeyVersionsRequest message from the specified reader or buffer.
         * @function decode
         * @memberof vss.ListKeyVersionsRequest
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.ListKeyVersionsRequest & vss.ListKeyVersionsRequest.$Shape} ListKeyVersionsRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        ListKeyVersionsRequest.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.ListKeyVersionsRequest();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.storeId = value;
                        else
                            delete message.storeId;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.keyPrefix = reader.stringVerify();
                        message._keyPrefix = "keyPrefix";
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        message.pageSize = reader.int32();
                        message._pageSize = "pageSize";
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        message.pageToken = reader.stringVerify();
                        message._pageToken = "pageToken";
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return ListKeyVersionsRequest;
    })();

    vss.ListKeyVersionsResponse = (function() {

        /**
         * Properties of a ListKeyVersionsResponse.
         * @typedef {Object} vss.ListKeyVersionsResponse.$Properties
         * @property {Array.<vss.KeyValue.$Properties>|null} [keyVersions] ListKeyVersionsResponse keyVersions
         * @property {string|null} [nextPageToken] ListKeyVersionsResponse nextPageToken
         * @property {Long|null} [globalVersion] ListKeyVersionsResponse globalVersion
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a ListKeyVersionsResponse.
         * @memberof vss
         * @interface IListKeyVersionsResponse
         * @augments vss.ListKeyVersionsResponse.$Properties
         * @deprecated Use vss.ListKeyVersionsResponse.$Properties instead.
         */

        /**
         * Shape of a ListKeyVersionsResponse.
         * @typedef {vss.ListKeyVersionsResponse.$Properties} vss.ListKeyVersionsResponse.$Shape
         */

        /**
         * Constructs a new ListKeyVersionsResponse.
         * @memberof vss
         * @classdesc Represents a ListKeyVersionsResponse.
         * @constructor
         * @param {vss.ListKeyVersionsResponse.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const ListKeyVersionsResponse = function (properties) {
            this.keyVersions = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * ListKeyVersionsResponse keyVersions.
         * @member {Array.<vss.KeyValue.$Properties>} keyVersions
         * @memberof vss.ListKeyVersionsResponse
         * @instance
         */
        ListKeyVersionsResponse.prototype.keyVersions = $util.emptyArray;

        /**
         * ListKeyVersionsResponse nextPageToken.
         * @member {string|null|undefined} nextPageToken
         * @memberof vss.ListKeyVersionsResponse
         * @instance
         */
        ListKeyVersionsResponse.prototype.nextPageToken = null;

        /**
         * ListKeyVersionsResponse globalVersion.
         * @member {Long|null|undefined} globalVersion
         * @memberof vss.ListKeyVersionsResponse
         * @instance
         */
        ListKeyVersionsResponse.prototype.globalVersion = null;

        // OneOf field names bound to virtual getters and setters
        let $oneOfFields;

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(ListKeyVersionsResponse.prototype, "_nextPageToken", {
            get: $util.oneOfGetter($oneOfFields = ["nextPageToken"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(ListKeyVersionsResponse.prototype, "_globalVersion", {
            get: $util.oneOfGetter($oneOfFields = ["globalVersion"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        /**
         * Encodes the specified ListKeyVersionsResponse message. Does not implicitly {@link vss.ListKeyVersionsResponse.verify|verify} messages.
         * @function encode
         * @memberof vss.ListKeyVersionsResponse
         * @static
         * @param {vss.ListKeyVersionsResponse.$Properties} message ListKeyVersionsResponse message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        ListKeyVersionsResponse.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.keyVersions != null && message.keyVersions.length)
                for (let i = 0; i < message.keyVersions.length; ++i)
                    $root.vss.KeyValue.encode(message.keyVersions[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
            if (message.nextPageToken != null && $Object.hasOwnProperty.call(message, "nextPageToken"))
                writer.uint32(/* id 2, wireType 2 =*/18).string(message.nextPageToken);
            if (message.globalVersion != null && $Object.hasOwnProperty.call(message, "globalVersion"))
                writer.uint32(/* id 3, wireType 0 =*/24).int64(message.globalVersion);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a ListKeyVersionsResponse message from the specified reader or buffer.
         * @function decode
         * @memberof vss.ListKeyVersionsResponse
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.ListKeyVersionsResponse & vss.ListKeyVersionsResponse.$Shape} ListKeyVersionsResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        ListKeyVersionsResponse.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.ListKeyVersionsResponse();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if (!(message.keyVersions && message.keyVersions.length))
                            message.keyVersions = [];
                        message.keyVersions.push($root.vss.KeyValue.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.nextPageToken = reader.stringVerify();
                        message._nextPageToken = "nextPageToken";
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        message.globalVersion = reader.int64();
                        message._globalVersion = "globalVersion";
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return ListKeyVersionsResponse;
    })();

    vss.ErrorResponse = (function() {

        /**
         * Properties of an ErrorResponse.
         * @typedef {Object} vss.ErrorResponse.$Properties
         * @property {vss.ErrorCode|null} [errorCode] ErrorResponse errorCode
         * @property {string|null} [message] ErrorResponse message
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of an ErrorResponse.
         * @memberof vss
         * @interface IErrorResponse
         * @augments vss.ErrorResponse.$Properties
         * @deprecated Use vss.ErrorResponse.$Properties instead.
         */

        /**
         * Shape of an ErrorResponse.
         * @typedef {vss.ErrorResponse.$Properties} vss.ErrorResponse.$Shape
         */

        /**
         * Constructs a new ErrorResponse.
         * @memberof vss
         * @classdesc Represents an ErrorResponse.
         * @constructor
         * @param {vss.ErrorResponse.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const ErrorResponse = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * ErrorResponse errorCode.
         * @member {vss.ErrorCode} errorCode
         * @memberof vss.ErrorResponse
         * @instance
         */
        ErrorResponse.prototype.errorCode = 0;

        /**
         * ErrorResponse message.
         * @member {string} message
         * @memberof vss.ErrorResponse
         * @instance
         */
        ErrorResponse.prototype.message = "";

        /**
         * Encodes the specified ErrorResponse message. Does not implicitly {@link vss.ErrorResponse.verify|verify} messages.
         * @function encode
         * @memberof vss.ErrorResponse
         * @static
         * @param {vss.ErrorResponse.$Properties} message ErrorResponse message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        ErrorResponse.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.errorCode != null && $Object.hasOwnProperty.call(message, "errorCode") && message.errorCode !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).int32(message.errorCode);
            if (message.message != null && $Object.hasOwnProperty.call(message, "message") && message.message !== "")
                writer.uint32(/* id 2, wireType 2 =*/18).string(message.message);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes an ErrorResponse message from the specified reader or buffer.
         * @function decode
         * @memberof vss.ErrorResponse
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.ErrorResponse & vss.ErrorResponse.$Shape} ErrorResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        ErrorResponse.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.ErrorResponse();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.errorCode = value;
                        else
                            delete message.errorCode;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.message = value;
                        else
                            delete message.message;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return ErrorResponse;
    })();

    /**
     * ErrorCode enum.
     * @name vss.ErrorCode
     * @enum {number}
     * @property {number} UNKNOWN=0 UNKNOWN value
     * @property {number} CONFLICT_EXCEPTION=1 CONFLICT_EXCEPTION value
     * @property {number} INVALID_REQUEST_EXCEPTION=2 INVALID_REQUEST_EXCEPTION value
     * @property {number} INTERNAL_SERVER_EXCEPTION=3 INTERNAL_SERVER_EXCEPTION value
     * @property {number} NO_SUCH_KEY_EXCEPTION=4 NO_SUCH_KEY_EXCEPTION value
     * @property {number} AUTH_EXCEPTION=5 AUTH_EXCEPTION value
     */
    vss.ErrorCode = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "UNKNOWN"] = 0;
        values[valuesById[1] = "CONFLICT_EXCEPTION"] = 1;
        values[valuesById[2] = "INVALID_REQUEST_EXCEPTION"] = 2;
        values[valuesById[3] = "INTERNAL_SERVER_EXCEPTION"] = 3;
        values[valuesById[4] = "NO_SUCH_KEY_EXCEPTION"] = 4;
        values[valuesById[5] = "AUTH_EXCEPTION"] = 5;
        return values;
    })();

    vss.KeyValue = (function() {

        /**
         * Properties of a KeyValue.
         * @typedef {Object} vss.KeyValue.$Properties
         * @property {string|null} [key] KeyValue key
         * @property {Long|null} [version] KeyValue version
         * @property {Uint8Array|null} [value] KeyValue value
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a KeyValue.
         * @memberof vss
         * @interface IKeyValue
         * @augments vss.KeyValue.$Properties
         * @deprecated Use vss.KeyValue.$Properties instead.
         */

        /**
         * Shape of a KeyValue.
         * @typedef {vss.KeyValue.$Properties} vss.KeyValue.$Shape
         */

        /**
         * Constructs a new KeyValue.
         * @memberof vss
         * @classdesc Represents a KeyValue.
         * @constructor
         * @param {vss.KeyValue.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const KeyValue = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * KeyValue key.
         * @member {string} key
         * @memberof vss.KeyValue
         * @instance
         */
        KeyValue.prototype.key = "";

        /**
         * KeyValue version.
         * @member {Long} version
         * @memberof vss.KeyValue
         * @instance
         */
        KeyValue.prototype.version = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

        /**
         * KeyValue value.
         * @member {Uint8Array} value
         * @memberof vss.KeyValue
         * @instance
         */
        KeyValue.prototype.value = $util.newBuffer([]);

        /**
         * Encodes the specified KeyValue message. Does not implicitly {@link vss.KeyValue.verify|verify} messages.
         * @function encode
         * @memberof vss.KeyValue
         * @static
         * @param {vss.KeyValue.$Properties} message KeyValue message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        KeyValue.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.key != null && $Object.hasOwnProperty.call(message, "key") && message.key !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.key);
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && (typeof message.version === "object" ? message.version.low || message.version.high : message.version !== 0))
                writer.uint32(/* id 2, wireType 0 =*/16).int64(message.version);
            if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value.length)
                writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.value);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a KeyValue message from the specified reader or buffer.
         * @function decode
         * @memberof vss.KeyValue
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.KeyValue & vss.KeyValue.$Shape} KeyValue
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        KeyValue.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.KeyValue();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.key = value;
                        else
                            delete message.key;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.value = value;
                        else
                            delete message.value;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return KeyValue;
    })();

    vss.Storable = (function() {

        /**
         * Properties of a Storable.
         * @typedef {Object} vss.Storable.$Properties
         * @property {Uint8Array|null} [data] Storable data
         * @property {vss.EncryptionMetadata.$Properties|null} [encryptionMetadata] Storable encryptionMetadata
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a Storable.
         * @memberof vss
         * @interface IStorable
         * @augments vss.Storable.$Properties
         * @deprecated Use vss.Storable.$Properties instead.
         */

        /**
         * Shape of a Storable.
         * @typedef {vss.Storable.$Properties} vss.Storable.$Shape
         */

        /**
         * Constructs a new Storable.
         * @memberof vss
         * @classdesc Represents a Storable.
         * @constructor
         * @param {vss.Storable.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const Storable = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * Storable data.
         * @member {Uint8Array} data
         * @memberof vss.Storable
         * @instance
         */
        Storable.prototype.data = $util.newBuffer([]);

        /**
         * Storable encryptionMetadata.
         * @member {vss.EncryptionMetadata.$Properties|null|undefined} encryptionMetadata
         * @memberof vss.Storable
         * @instance
         */
        Storable.prototype.encryptionMetadata = null;

        /**
         * Encodes the specified Storable message. Does not implicitly {@link vss.Storable.verify|verify} messages.
         * @function encode
         * @memberof vss.Storable
         * @static
         * @param {vss.Storable.$Properties} message Storable message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        Storable.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.data != null && $Object.hasOwnProperty.call(message, "data") && message.data.length)
                writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.data);
            if (message.encryptionMetadata != null && $Object.hasOwnProperty.call(message, "encryptionMetadata"))
                $root.vss.EncryptionMetadata.encode(message.encryptionMetadata, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a Storable message from the specified reader or buffer.
         * @function decode
         * @memberof vss.Storable
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.Storable & vss.Storable.$Shape} Storable
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        Storable.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.Storable();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.data = value;
                        else
                            delete message.data;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.encryptionMetadata = $root.vss.EncryptionMetadata.decode(reader, reader.size(), $undefined, _depth + 1, message.encryptionMetadata);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return Storable;
    })();

    vss.EncryptionMetadata = (function() {

        /**
         * Properties of an EncryptionMetadata.
         * @typedef {Object} vss.EncryptionMetadata.$Properties
         * @property {string|null} [cipherFormat] EncryptionMetadata cipherFormat
         * @property {Uint8Array|null} [nonce] EncryptionMetadata nonce
         * @property {Uint8Array|null} [tag] EncryptionMetadata tag
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of an EncryptionMetadata.
         * @memberof vss
         * @interface IEncryptionMetadata
         * @augments vss.EncryptionMetadata.$Properties
         * @deprecated Use vss.EncryptionMetadata.$Properties instead.
         */

        /**
         * Shape of an EncryptionMetadata.
         * @typedef {vss.EncryptionMetadata.$Properties} vss.EncryptionMetadata.$Shape
         */

        /**
         * Constructs a new EncryptionMetadata.
         * @memberof vss
         * @classdesc Represents an EncryptionMetadata.
         * @constructor
         * @param {vss.EncryptionMetadata.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const EncryptionMetadata = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * EncryptionMetadata cipherFormat.
         * @member {string} cipherFormat
         * @memberof vss.EncryptionMetadata
         * @instance
         */
        EncryptionMetadata.prototype.cipherFormat = "";

        /**
         * EncryptionMetadata nonce.
         * @member {Uint8Array} nonce
         * @memberof vss.EncryptionMetadata
         * @instance
         */
        EncryptionMetadata.prototype.nonce = $util.newBuffer([]);

        /**
         * EncryptionMetadata tag.
         * @member {Uint8Array} tag
         * @memberof vss.EncryptionMetadata
         * @instance
         */
        EncryptionMetadata.prototype.tag = $util.newBuffer([]);

        /**
         * Encodes the specified EncryptionMetadata message. Does not implicitly {@link vss.EncryptionMetadata.verify|verify} messages.
         * @function encode
         * @memberof vss.EncryptionMetadata
         * @static
         * @param {vss.EncryptionMetadata.$Properties} message EncryptionMetadata message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        EncryptionMetadata.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.cipherFormat != null && $Object.hasOwnProperty.call(message, "cipherFormat") && message.cipherFormat !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.cipherFormat);
            if (message.nonce != null && $Object.hasOwnProperty.call(message, "nonce") && message.nonce.length)
                writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.nonce);
            if (message.tag != null && $Object.hasOwnProperty.call(message, "tag") && message.tag.length)
                writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.tag);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes an EncryptionMetadata message from the specified reader or buffer.
         * @function decode
         * @memberof vss.EncryptionMetadata
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.EncryptionMetadata & vss.EncryptionMetadata.$Shape} EncryptionMetadata
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        EncryptionMetadata.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.EncryptionMetadata();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.cipherFormat = value;
                        else
                            delete message.cipherFormat;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.nonce = value;
                        else
                            delete message.nonce;
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.tag = value;
                        else
                            delete message.tag;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return EncryptionMetadata;
    })();

    vss.PlaintextBlob = (function() {

        /**
         * Properties of a PlaintextBlob.
         * @typedef {Object} vss.PlaintextBlob.$Properties
         * @property {Uint8Array|null} [value] PlaintextBlob value
         * @property {Long|null} [version] PlaintextBlob version
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a PlaintextBlob.
         * @memberof vss
         * @interface IPlaintextBlob
         * @augments vss.PlaintextBlob.$Properties
         * @deprecated Use vss.PlaintextBlob.$Properties instead.
         */

        /**
         * Shape of a PlaintextBlob.
         * @typedef {vss.PlaintextBlob.$Properties} vss.PlaintextBlob.$Shape
         */

        /**
         * Constructs a new PlaintextBlob.
         * @memberof vss
         * @classdesc Represents a PlaintextBlob.
         * @constructor
         * @param {vss.PlaintextBlob.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const PlaintextBlob = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * PlaintextBlob value.
         * @member {Uint8Array} value
         * @memberof vss.PlaintextBlob
         * @instance
         */
        PlaintextBlob.prototype.value = $util.newBuffer([]);

        /**
         * PlaintextBlob version.
         * @member {Long} version
         * @memberof vss.PlaintextBlob
         * @instance
         */
        PlaintextBlob.prototype.version = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

        /**
         * Encodes the specified PlaintextBlob message. Does not implicitly {@link vss.PlaintextBlob.verify|verify} messages.
         * @function encode
         * @memberof vss.PlaintextBlob
         * @static
         * @param {vss.PlaintextBlob.$Properties} message PlaintextBlob message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        PlaintextBlob.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value.length)
                writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.value);
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && (typeof message.version === "object" ? message.version.low || message.version.high : message.version !== 0))
                writer.uint32(/* id 2, wireType 0 =*/16).int64(message.version);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a PlaintextBlob message from the specified reader or buffer.
         * @function decode
         * @memberof vss.PlaintextBlob
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {vss.PlaintextBlob & vss.PlaintextBlob.$Shape} PlaintextBlob
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        PlaintextBlob.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.vss.PlaintextBlob();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.value = value;
                        else
                            delete message.value;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return PlaintextBlob;
    })();

    return vss;
})();

export {
  $root as default
};
