import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace vss. */
export namespace vss {

    /**
     * Properties of a GetObjectRequest.
     * @deprecated Use vss.GetObjectRequest.$Properties instead.
     */
    interface IGetObjectRequest extends vss.GetObjectRequest.$Properties {
    }

    /** Represents a GetObjectRequest. */
    class GetObjectRequest {

        /**
         * Constructs a new GetObjectRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.GetObjectRequest.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** GetObjectRequest storeId. */
        storeId: string;

        /** GetObjectRequest key. */
        key: string;

        /**
         * Encodes the specified GetObjectRequest message. Does not implicitly {@link vss.GetObjectRequest.verify|verify} messages.
         * @param message GetObjectRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.GetObjectRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a GetObjectRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.GetObjectRequest & vss.GetObjectRequest.$Shape} GetObjectRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.GetObjectRequest & vss.GetObjectRequest.$Shape;
    }

    namespace GetObjectRequest {

        /** Properties of a GetObjectRequest. */
        interface $Properties {

            /** GetObjectRequest storeId */
            storeId?: (string|null);

            /** GetObjectRequest key */
            key?: (string|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a GetObjectRequest. */
        type $Shape = vss.GetObjectRequest.$Properties;
    }

    /**
     * Properties of a GetObjectResponse.
     * @deprecated Use vss.GetObjectResponse.$Properties instead.
     */
    interface IGetObjectResponse extends vss.GetObjectResponse.$Properties {
    }

    /** Represents a GetObjectResponse. */
    class GetObjectResponse {

        /**
         * Constructs a new GetObjectResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.GetObjectResponse.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** GetObjectResponse value. */
        value?: (vss.KeyValue.$Properties|null);

        /**
         * Encodes the specified GetObjectResponse message. Does not implicitly {@link vss.GetObjectResponse.verify|verify} messages.
         * @param message GetObjectResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.GetObjectResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a GetObjectResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.GetObjectResponse & vss.GetObjectResponse.$Shape} GetObjectResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.GetObjectResponse & vss.GetObjectResponse.$Shape;
    }

    namespace GetObjectResponse {

        /** Properties of a GetObjectResponse. */
        interface $Properties {

            /** GetObjectResponse value */
            value?: (vss.KeyValue.$Properties|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a GetObjectResponse. */
        type $Shape = vss.GetObjectResponse.$Properties;
    }

    /**
     * Properties of a PutObjectRequest.
     * @deprecated Use vss.PutObjectRequest.$Properties instead.
     */
    interface IPutObjectRequest extends vss.PutObjectRequest.$Properties {
    }

    /** Represents a PutObjectRequest. */
    class PutObjectRequest {

        /**
         * Constructs a new PutObjectRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.PutObjectRequest.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** PutObjectRequest storeId. */
        storeId: string;

        /** PutObjectRequest globalVersion. */
        globalVersion?: (Long|null);

        /** PutObjectRequest transactionItems. */
        transactionItems: vss.KeyValue.$Properties[];

        /** PutObjectRequest deleteItems. */
        deleteItems: vss.KeyValue.$Properties[];

        /**
         * Encodes the specified PutObjectRequest message. Does not implicitly {@link vss.PutObjectRequest.verify|verify} messages.
         * @param message PutObjectRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.PutObjectRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a PutObjectRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.PutObjectRequest & vss.PutObjectRequest.$Shape} PutObjectRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.PutObjectRequest & vss.PutObjectRequest.$Shape;
    }

    namespace PutObjectRequest {

        /** Properties of a PutObjectRequest. */
        interface $Properties {

            /** PutObjectRequest storeId */
            storeId?: (string|null);

            /** PutObjectRequest globalVersion */
            globalVersion?: (Long|null);

            /** PutObjectRequest transactionItems */
            transactionItems?: (vss.KeyValue.$Properties[]|null);

            /** PutObjectRequest deleteItems */
            deleteItems?: (vss.KeyValue.$Properties[]|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a PutObjectRequest. */
        type $Shape = vss.PutObjectRequest.$Properties;
    }

    /**
     * Properties of a PutObjectResponse.
     * @deprecated Use vss.PutObjectResponse.$Properties instead.
     */
    interface IPutObjectResponse extends vss.PutObjectResponse.$Properties {
    }

    /** Represents a PutObjectResponse. */
    class PutObjectResponse {

        /**
         * Constructs a new PutObjectResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.PutObjectResponse.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /**
         * Encodes the specified PutObjectResponse message. Does not implicitly {@link vss.PutObjectResponse.verify|verify} messages.
         * @param message PutObjectResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.PutObjectResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a PutObjectResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.PutObjectResponse & vss.PutObjectResponse.$Shape} PutObjectResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.PutObjectResponse & vss.PutObjectResponse.$Shape;
    }

    namespace PutObjectResponse {

        /** Properties of a PutObjectResponse. */
        interface $Properties {

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a PutObjectResponse. */
        type $Shape = vss.PutObjectResponse.$Properties;
    }

    /**
     * Properties of a DeleteObjectRequest.
     * @deprecated Use vss.DeleteObjectRequest.$Properties instead.
     */
    interface IDeleteObjectRequest extends vss.DeleteObjectRequest.$Properties {
    }

    /** Represents a DeleteObjectRequest. */
    class DeleteObjectRequest {

        /**
         * Constructs a new DeleteObjectRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.DeleteObjectRequest.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** DeleteObjectRequest storeId. */
        storeId: string;

        /** DeleteObjectRequest keyValue. */
        keyValue?: (vss.KeyValue.$Properties|null);

        /**
         * Encodes the specified DeleteObjectRequest message. Does not implicitly {@link vss.DeleteObjectRequest.verify|verify} messages.
         * @param message DeleteObjectRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.DeleteObjectRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a DeleteObjectRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.DeleteObjectRequest & vss.DeleteObjectRequest.$Shape} DeleteObjectRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.DeleteObjectRequest & vss.DeleteObjectRequest.$Shape;
    }

    namespace DeleteObjectRequest {

        /** Properties of a DeleteObjectRequest. */
        interface $Properties {

            /** DeleteObjectRequest storeId */
            storeId?: (string|null);

            /** DeleteObjectRequest keyValue */
            keyValue?: (vss.KeyValue.$Properties|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a DeleteObjectRequest. */
        type $Shape = vss.DeleteObjectRequest.$Properties;
    }

    /**
     * Properties of a DeleteObjectResponse.
     * @deprecated Use vss.DeleteObjectResponse.$Properties instead.
     */
    interface IDeleteObjectResponse extends vss.DeleteObjectResponse.$Properties {
    }

    /** Represents a DeleteObjectResponse. */
    class DeleteObjectResponse {

        /**
         * Constructs a new DeleteObjectResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.DeleteObjectResponse.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /**
         * Encodes the specified DeleteObjectResponse message. Does not implicitly {@link vss.DeleteObjectResponse.verify|verify} messages.
         * @param message DeleteObjectResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.DeleteObjectResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a DeleteObjectResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.DeleteObjectResponse & vss.DeleteObjectResponse.$Shape} DeleteObjectResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.DeleteObjectResponse & vss.DeleteObjectResponse.$Shape;
    }

    namespace DeleteObjectResponse {

        /** Properties of a DeleteObjectResponse. */
        interface $Properties {

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a DeleteObjectResponse. */
        type $Shape = vss.DeleteObjectResponse.$Properties;
    }

    /**
     * Properties of a ListKeyVersionsRequest.
     * @deprecated Use vss.ListKeyVersionsRequest.$Properties instead.
     */
    interface IListKeyVersionsRequest extends vss.ListKeyVersionsRequest.$Properties {
    }

    /** Represents a ListKeyVersionsRequest. */
    class ListKeyVersionsRequest {

        /**
         * Constructs a new ListKeyVersionsRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.ListKeyVersionsRequest.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** ListKeyVersionsRequest storeId. */
        storeId: string;

        /** ListKeyVersionsRequest keyPrefix. */
        keyPrefix?: (string|null);

        /** ListKeyVersionsRequest pageSize. */
        pageSize?: (number|null);

        /** ListKeyVersionsRequest pageToken. */
        pageToken?: (string|null);

        /**
         * Encodes the specified ListKeyVersionsRequest message. Does not implicitly {@link vss.ListKeyVersionsRequest.verify|verify} messages.
         * @param message ListKeyVersionsRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.ListKeyVersionsRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ListKeyVersionsRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.ListKeyVersionsRequest & vss.ListKeyVersionsRequest.$Shape} ListKeyVersionsRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.ListKeyVersionsRequest & vss.ListKeyVersionsRequest.$Shape;
    }

    namespace ListKeyVersionsRequest {

        /** Properties of a ListKeyVersionsRequest. */
        interface $Properties {

            /** ListKeyVersionsRequest storeId */
            storeId?: (string|null);

            /** ListKeyVersionsRequest keyPrefix */
            keyPrefix?: (string|null);

            /** ListKeyVersionsRequest pageSize */
            pageSize?: (number|null);

            /** ListKeyVersionsRequest pageToken */
            pageToken?: (string|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a ListKeyVersionsRequest. */
        type $Shape = vss.ListKeyVersionsRequest.$Properties;
    }

    /**
     * Properties of a ListKeyVersionsResponse.
     * @deprecated Use vss.ListKeyVersionsResponse.$Properties instead.
     */
    interface IListKeyVersionsResponse extends vss.ListKeyVersionsResponse.$Properties {
    }

    /** Represents a ListKeyVersionsResponse. */
    class ListKeyVersionsResponse {

        /**
         * Constructs a new ListKeyVersionsResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.ListKeyVersionsResponse.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** ListKeyVersionsResponse keyVersions. */
        keyVersions: vss.KeyValue.$Properties[];

        /** ListKeyVersionsResponse nextPageToken. */
        nextPageToken?: (string|null);

        /** ListKeyVersionsResponse globalVersion. */
        globalVersion?: (Long|null);

        /**
         * Encodes the specified ListKeyVersionsResponse message. Does not implicitly {@link vss.ListKeyVersionsResponse.verify|verify} messages.
         * @param message ListKeyVersionsResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.ListKeyVersionsResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ListKeyVersionsResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.ListKeyVersionsResponse & vss.ListKeyVersionsResponse.$Shape} ListKeyVersionsResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.ListKeyVersionsResponse & vss.ListKeyVersionsResponse.$Shape;
    }

    namespace ListKeyVersionsResponse {

        /** Properties of a ListKeyVersionsResponse. */
        interface $Properties {

            /** ListKeyVersionsResponse keyVersions */
            keyVersions?: (vss.KeyValue.$Properties[]|null);

            /** ListKeyVersionsResponse nextPageToken */
            nextPageToken?: (string|null);

            /** ListKeyVersionsResponse globalVersion */
            globalVersion?: (Long|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a ListKeyVersionsResponse. */
        type $Shape = vss.ListKeyVersionsResponse.$Properties;
    }

    /**
     * Properties of an ErrorResponse.
     * @deprecated Use vss.ErrorResponse.$Properties instead.
     */
    interface IErrorResponse extends vss.ErrorResponse.$Properties {
    }

    /** Represents an ErrorResponse. */
    class ErrorResponse {

        /**
         * Constructs a new ErrorResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.ErrorResponse.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** ErrorResponse errorCode. */
        errorCode: vss.ErrorCode;

        /** ErrorResponse message. */
        message: string;

        /**
         * Encodes the specified ErrorResponse message. Does not implicitly {@link vss.ErrorResponse.verify|verify} messages.
         * @param message ErrorResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.ErrorResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes an ErrorResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.ErrorResponse & vss.ErrorResponse.$Shape} ErrorResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.ErrorResponse & vss.ErrorResponse.$Shape;
    }

    namespace ErrorResponse {

        /** Properties of an ErrorResponse. */
        interface $Properties {

            /** ErrorResponse errorCode */
            errorCode?: (vss.ErrorCode|null);

            /** ErrorResponse message */
            message?: (string|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of an ErrorResponse. */
        type $Shape = vss.ErrorResponse.$Properties;
    }

    /** ErrorCode enum. */
    enum ErrorCode {

        /** UNKNOWN value */
        UNKNOWN = 0,

        /** CONFLICT_EXCEPTION value */
        CONFLICT_EXCEPTION = 1,

        /** INVALID_REQUEST_EXCEPTION value */
        INVALID_REQUEST_EXCEPTION = 2,

        /** INTERNAL_SERVER_EXCEPTION value */
        INTERNAL_SERVER_EXCEPTION = 3,

        /** NO_SUCH_KEY_EXCEPTION value */
        NO_SUCH_KEY_EXCEPTION = 4,

        /** AUTH_EXCEPTION value */
        AUTH_EXCEPTION = 5
    }

    /**
     * Properties of a KeyValue.
     * @deprecated Use vss.KeyValue.$Properties instead.
     */
    interface IKeyValue extends vss.KeyValue.$Properties {
    }

    /** Represents a KeyValue. */
    class KeyValue {

        /**
         * Constructs a new KeyValue.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.KeyValue.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** KeyValue key. */
        key: string;

        /** KeyValue version. */
        version: Long;

        /** KeyValue value. */
        value: Uint8Array;

        /**
         * Encodes the specified KeyValue message. Does not implicitly {@link vss.KeyValue.verify|verify} messages.
         * @param message KeyValue message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.KeyValue.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a KeyValue message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.KeyValue & vss.KeyValue.$Shape} KeyValue
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.KeyValue & vss.KeyValue.$Shape;
    }

    namespace KeyValue {

        /** Properties of a KeyValue. */
        interface $Properties {

            /** KeyValue key */
            key?: (string|null);

            /** KeyValue version */
            version?: (Long|null);

            /** KeyValue value */
            value?: (Uint8Array|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a KeyValue. */
        type $Shape = vss.KeyValue.$Properties;
    }

    /**
     * Properties of a Storable.
     * @deprecated Use vss.Storable.$Properties instead.
     */
    interface IStorable extends vss.Storable.$Properties {
    }

    /** Represents a Storable. */
    class Storable {

        /**
         * Constructs a new Storable.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.Storable.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** Storable data. */
        data: Uint8Array;

        /** Storable encryptionMetadata. */
        encryptionMetadata?: (vss.EncryptionMetadata.$Properties|null);

        /**
         * Encodes the specified Storable message. Does not implicitly {@link vss.Storable.verify|verify} messages.
         * @param message Storable message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.Storable.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Storable message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.Storable & vss.Storable.$Shape} Storable
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.Storable & vss.Storable.$Shape;
    }

    namespace Storable {

        /** Properties of a Storable. */
        interface $Properties {

            /** Storable data */
            data?: (Uint8Array|null);

            /** Storable encryptionMetadata */
            encryptionMetadata?: (vss.EncryptionMetadata.$Properties|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a Storable. */
        type $Shape = vss.Storable.$Properties;
    }

    /**
     * Properties of an EncryptionMetadata.
     * @deprecated Use vss.EncryptionMetadata.$Properties instead.
     */
    interface IEncryptionMetadata extends vss.EncryptionMetadata.$Properties {
    }

    /** Represents an EncryptionMetadata. */
    class EncryptionMetadata {

        /**
         * Constructs a new EncryptionMetadata.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.EncryptionMetadata.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** EncryptionMetadata cipherFormat. */
        cipherFormat: string;

        /** EncryptionMetadata nonce. */
        nonce: Uint8Array;

        /** EncryptionMetadata tag. */
        tag: Uint8Array;

        /**
         * Encodes the specified EncryptionMetadata message. Does not implicitly {@link vss.EncryptionMetadata.verify|verify} messages.
         * @param message EncryptionMetadata message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.EncryptionMetadata.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes an EncryptionMetadata message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.EncryptionMetadata & vss.EncryptionMetadata.$Shape} EncryptionMetadata
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.EncryptionMetadata & vss.EncryptionMetadata.$Shape;
    }

    namespace EncryptionMetadata {

        /** Properties of an EncryptionMetadata. */
        interface $Properties {

            /** EncryptionMetadata cipherFormat */
            cipherFormat?: (string|null);

            /** EncryptionMetadata nonce */
            nonce?: (Uint8Array|null);

            /** EncryptionMetadata tag */
            tag?: (Uint8Array|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of an EncryptionMetadata. */
        type $Shape = vss.EncryptionMetadata.$Properties;
    }

    /**
     * Properties of a PlaintextBlob.
     * @deprecated Use vss.PlaintextBlob.$Properties instead.
     */
    interface IPlaintextBlob extends vss.PlaintextBlob.$Properties {
    }

    /** Represents a PlaintextBlob. */
    class PlaintextBlob {

        /**
         * Constructs a new PlaintextBlob.
         * @param [properties] Properties to set
         */
        constructor(properties?: vss.PlaintextBlob.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** PlaintextBlob value. */
        value: Uint8Array;

        /** PlaintextBlob version. */
        version: Long;

        /**
         * Encodes the specified PlaintextBlob message. Does not implicitly {@link vss.PlaintextBlob.verify|verify} messages.
         * @param message PlaintextBlob message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: vss.PlaintextBlob.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a PlaintextBlob message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {vss.PlaintextBlob & vss.PlaintextBlob.$Shape} PlaintextBlob
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vss.PlaintextBlob & vss.PlaintextBlob.$Shape;
    }

    namespace PlaintextBlob {

        /** Properties of a PlaintextBlob. */
        interface $Properties {

            /** PlaintextBlob value */
            value?: (Uint8Array|null);

            /** PlaintextBlob version */
            version?: (Long|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a PlaintextBlob. */
        type $Shape = vss.PlaintextBlob.$Properties;
    }
}
