#!/bin/sh
# One-shot, run by the `createbucket` service in the minio/mc image.
# Creates the private bucket, the public media bucket, and an access key for the
# portal that may use those two only. The private bucket gets no anonymous policy:
# nothing in it is readable without a signature. The media bucket (Wagtail images,
# served through nginx at /media/) lets anyone read an object, never list or write.
# Running it again changes nothing.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null

mc mb --ignore-existing "local/$AWS_STORAGE_BUCKET_NAME"
mc anonymous set none "local/$AWS_STORAGE_BUCKET_NAME"
mc mb --ignore-existing "local/$AWS_MEDIA_BUCKET_NAME"
mc anonymous set download "local/$AWS_MEDIA_BUCKET_NAME"

cat >/tmp/zabuni-private.json <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::$AWS_STORAGE_BUCKET_NAME", "arn:aws:s3:::$AWS_MEDIA_BUCKET_NAME"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                 "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$AWS_STORAGE_BUCKET_NAME/*", "arn:aws:s3:::$AWS_MEDIA_BUCKET_NAME/*"]
    }
  ]
}
POLICY

mc admin policy create local zabuni-private /tmp/zabuni-private.json >/dev/null
# `user add` creates the user, or sets its secret again if it exists.
mc admin user add local "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >/dev/null
if ! out=$(mc admin policy attach local zabuni-private --user "$AWS_ACCESS_KEY_ID" 2>&1); then
  case "$out" in
    *already*) ;;  # attached on an earlier run
    *) echo "$out" >&2; exit 1 ;;
  esac
fi

echo "Buckets $AWS_STORAGE_BUCKET_NAME (private) and $AWS_MEDIA_BUCKET_NAME (public media) are ready (access key $AWS_ACCESS_KEY_ID)."
mc anonymous get "local/$AWS_STORAGE_BUCKET_NAME"
