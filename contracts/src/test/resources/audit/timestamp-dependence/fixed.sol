pragma solidity ^0.4.24;

/// The pot goes to a fixed beneficiary once a block number is reached: no timestamp involved.
contract LuckySecond {
    address public beneficiary;
    uint256 public releaseBlock;

    constructor(address who, uint256 atBlock) public {
        require(who != address(0));
        beneficiary = who;
        releaseBlock = atBlock;
    }

    function () public payable {}

    function release() public {
        require(block.number >= releaseBlock);
        beneficiary.transfer(address(this).balance);
    }
}
